import M2IR

/// The permutation that exchanges the last two of `rank` static axes: channels-first ↔ channels-last.
func lastTwoAxesSwap(rank: Int) -> [Int] {
    Array(0..<max(0, rank - 2)) + [rank - 1, rank - 2]
}

extension RewriteState {
    /// What `v` is the channels-first view of: the operand of the transpose swapping the last two axes that
    /// defines `v`, when this op is its only reader; nil otherwise.
    func channelsLastSource(of v: ValueID) -> ValueID? {
        guard let t = soleProducer(of: v), case .transpose(let perm) = t.kind, perm.count >= 2,
              perm == lastTwoAxesSwap(rank: perm.count), let source = t.soleOperand else { return nil }
        return source
    }
}

extension TensorType {
    /// This type with its last two static axes exchanged.
    var lastTwoAxesSwapped: TensorType {
        with(shape: lastTwoAxesSwap(rank: rank).map { shape[$0] })
    }
}
