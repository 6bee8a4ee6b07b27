import M2IR

extension RewriteRule {
    /// `mul(f(slice(h, last, 0..<I)), slice(h, last, I..<2I))` (either operand order) → `glu(f)` of h, when h's last
    /// axis is 2I and the slices and f are read only by this product.
    static let glu = RewriteRule("glu") { op, state in
        guard case .binary(.mul) = op.kind, op.operands.count == 2 else { return nil }
        for (gated, linear) in [(op.operands[0], op.operands[1]), (op.operands[1], op.operands[0])] {
            guard let activation = state.soleProducer(of: gated), case .unary(let f) = activation.kind,
                  let gateInput = activation.soleOperand,
                  let (h, gateRange) = state.lastAxisSlice(gateInput), let (h2, linearRange) = state.lastAxisSlice(linear),
                  h == h2, let width = state.type(of: h)?.shape.last, width % 2 == 0,
                  gateRange == 0..<(width / 2), linearRange == (width / 2)..<width else { continue }
            return .update(.glu(f), operands: [h])
        }
        return nil
    }
}

extension RewriteState {
    /// When `v` is a slice along the last axis read only by its consumer: the sliced value and the range.
    fileprivate func lastAxisSlice(_ v: ValueID) -> (ValueID, Range<Int>)? {
        guard let slice = soleProducer(of: v), case .slice(let axis, let start, let end) = slice.kind,
              let source = slice.soleOperand, let t = type(of: source), axis == t.rank - 1 else { return nil }
        return (source, start..<end)
    }
}
