import M2IR

extension RewriteRule {
    /// `slice-through-transpose`: a slice of a transpose that an earlier layout rule moved below a
    /// channels-last op slices that op's result instead, and the transpose moves after the slice (the
    /// consumers of the slices — M2's split of the short convolution into x, and the two gates — can then take
    /// the channels-last slices):
    ///
    ///     %5 = short_conv %0, … {…, channels_last = true} : f32[B,L,3H]
    ///     %4 = transpose %5 {perm = [1,0]} : f32[B,3H,L]           %7 = slice %5 {axis = 1, start = 0, end = H} : f32[B,L,H]
    ///     %6 = slice %4 {axis = 0, start = 0, end = H} : f32[B,H,L]  →  %6 = transpose %7 {perm = [1,0]} : f32[B,H,L]
    ///
    /// Limited to transposes of channels-last `short_conv`/`monarch_conv` results, i.e. to transposes already
    /// on their way down, so the rule never adds transposes where nothing below can take them.
    static let sliceThroughTranspose = RewriteRule("slice-through-transpose") { op, state in
        guard case .slice(let axis, let start, let end) = op.kind, let t = op.soleOperand,
              let transpose = state.producer(of: t), case .transpose(let perm) = transpose.kind, axis < perm.count,
              let source = transpose.soleOperand, let sourceOp = state.producer(of: source) else { return nil }
        switch sourceOp.kind {
        case .shortConv(_, .channelsLast), .monarchConv(_, _, _, _, .channelsLast, _): break
        default: return nil
        }
        var shape = sourceOp.type.shape
        shape[perm[axis]] = end - start
        let slice = Op(kind: .slice(axis: perm[axis], start: start, end: end), operands: [source], result: state.fresh(0),
                       type: sourceOp.type.with(shape: shape), location: op.location, name: op.name, annotations: op.annotations)
        return .expand(inserted: [slice], then: .transpose(perm: perm), operands: [slice.result])
    }
}
