import M2IR

extension RewriteRule {
    /// `monarch-short-conv`: M2's "short conv + split + pre-gate". Once the mixer runs channels-last, x and the
    /// two gates of its convolution are segments (slices along the channel axis) of one short convolution of
    /// the in-projection's rows; the `monarch_conv` then reads those rows itself and computes the three taps as
    /// it loads each operand, so neither the short convolution's output nor the three slices are written:
    ///
    ///     %4 = short_conv %0, %1, %2 {taps = 3, channels_last = true} : f32[B,L,3H]
    ///     %5 = slice %4 {axis = 1, start = 0, end = H}         (g1)
    ///     %6 = slice %4 {axis = 1, start = H, end = 2H}        (g2)
    ///     %7 = slice %4 {axis = 1, start = 2H, end = 3H}       (x)
    ///     %9 = monarch_conv %7, %5, %6, %8, %3 {…, channels_last = true}
    ///       →  %9 = monarch_conv %0, %1, %2, %8, %3 {…, channels_last = true, short_conv_taps = 3, segments = [2,0,1]}
    ///
    /// Only when the slices are whole H-channel segments, each read only by this op, and the short convolution
    /// (with a bias) is read only by them.
    static let monarchShortConv = RewriteRule("monarch-short-conv") { op, state in
        guard case .monarchConv(let factors, let pre, let post, let residual, .channelsLast, nil) = op.kind,
              let conv = MonarchConvOperands(op), let spectrum = state.type(of: conv.spectrum), spectrum.rank == 3 else { return nil }
        let h = spectrum.shape[1]
        var source: ValueID?
        var segments: [Int] = []
        let fused = [conv.input, conv.preGate, conv.postGate].compactMap { $0 }
        for v in fused {
            guard let slice = state.soleProducer(of: v), case .slice(let axis, let start, let end) = slice.kind,
                  axis == slice.type.rank - 1, end - start == h, start % h == 0, let s = slice.soleOperand,
                  source == nil || source == s else { return nil }
            source = s
            segments.append(start / h)
        }
        guard let source, let shortConv = state.producer(of: source), case .shortConv(let taps, .channelsLast) = shortConv.kind,
              shortConv.operands.count == 3, state.uses[source] == fused.count else { return nil }
        let kind = OpKind.monarchConv(factors: factors, preGate: pre, postGate: post, residual: residual, layout: .channelsLast,
                                      inputConv: MonarchInputConv(taps: taps, segments: segments))
        return .update(kind, operands: shortConv.operands + [conv.residual].compactMap { $0 } + [conv.spectrum])
    }
}
