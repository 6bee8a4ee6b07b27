import M2IR

extension RewriteRule {
    /// `monarch-channels-last`: a channels-first `monarch_conv` whose input, gates and residual are all
    /// transposes of channels-last tensors runs channels-last on those tensors, and one transpose of its result
    /// replaces the two to four transposes of its operands (M2's mixer: the layer input and the in-projection's
    /// rows are channels-last; the out-projection reads channels-last rows, so that transpose cancels too):
    ///
    ///     %3 = transpose %0 {perm = [1,0]} : f32[B,H,L]
    ///     %4 = transpose %1 {perm = [1,0]} : f32[B,H,L]           %6 = monarch_conv %0, %1, %2 {…, pre_gate = true, …, channels_last = true} : f32[B,L,H]
    ///     %5 = monarch_conv %3, %4, %2 {…, pre_gate = true, …}  →  %5 = transpose %6 {perm = [1,0]} : f32[B,H,L]
    ///
    /// Only when every such transpose has this op as its sole reader. The spectrum is per channel and does not
    /// change.
    static let monarchChannelsLast = RewriteRule("monarch-channels-last") { op, state in
        guard var conv = MonarchConvOperands(op), conv.layout == .channelsFirst else { return nil }
        var sources: [ValueID] = []
        for v in [conv.input, conv.preGate, conv.postGate, conv.residual].compactMap({ $0 }) {
            guard let source = state.channelsLastSource(of: v) else { return nil }
            sources.append(source)
        }
        var next = sources.makeIterator()
        conv.input = next.next()!
        if conv.preGate != nil { conv.preGate = next.next() }
        if conv.postGate != nil { conv.postGate = next.next() }
        if conv.residual != nil { conv.residual = next.next() }
        conv.layout = .channelsLast
        let moved = Op(kind: conv.kind, operands: conv.operands, result: state.fresh(0), type: op.type.lastTwoAxesSwapped,
                       location: op.location, name: op.name, annotations: op.annotations)
        return .expand(inserted: [moved], then: .transpose(perm: lastTwoAxesSwap(rank: op.type.rank)), operands: [moved.result])
    }
}
