import M2IR

extension RewriteRule {
    /// `short-conv-channels-last`: a channels-first short convolution of a transposed channels-last tensor runs
    /// channels-last, and the transpose moves after it (where `monarch-channels-last` or a second transpose
    /// can cancel it):
    ///
    ///     %1 = transpose %0 {perm = [1,0]} : f32[B,C,L]          %5 = short_conv %0, %2, %3 {taps = 3, channels_last = true} : f32[B,L,C]
    ///     %4 = short_conv %1, %2, %3 {taps = 3} : f32[B,C,L]  →   %4 = transpose %5 {perm = [1,0]} : f32[B,C,L]
    ///
    /// Only when the short convolution is the transpose's sole reader (else the transpose stays and one more
    /// would be added).
    static let shortConvChannelsLast = RewriteRule("short-conv-channels-last") { op, state in
        guard case .shortConv(let taps, .channelsFirst) = op.kind, let x = op.operands.first,
              let source = state.channelsLastSource(of: x) else { return nil }
        let conv = Op(kind: .shortConv(taps: taps, layout: .channelsLast), operands: [source] + op.operands.dropFirst(),
                      result: state.fresh(0), type: op.type.lastTwoAxesSwapped, location: op.location, name: op.name,
                      annotations: op.annotations)
        return .expand(inserted: [conv], then: .transpose(perm: lastTwoAxesSwap(rank: op.type.rank)), operands: [conv.result])
    }
}
