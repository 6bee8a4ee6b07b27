import M2IR

/// A matmul a GEMM-epilogue rule can extend: a `blockdiag_matmul` (empty epilogue so far) or a `fused_matmul`.
struct FusedMatmulParts {
    var outFeatures: Int
    var epilogue: [EpilogueStep]
    /// x, W, then the epilogue's operands.
    var operands: [ValueID]

    init?(_ op: Op) {
        switch op.kind {
        case .blockDiagMatmul(let m): (outFeatures, epilogue) = (m, [])
        case .fusedMatmul(let m, let steps): (outFeatures, epilogue) = (m, steps)
        default: return nil
        }
        operands = op.operands
    }

    /// The rewrite that appends `step` (reading `operand` when the step takes one).
    func appending(_ step: EpilogueStep, operand: ValueID? = nil) -> Rewrite {
        .update(.fusedMatmul(outFeatures: outFeatures, epilogue: epilogue + [step]), operands: operands + (operand.map { [$0] } ?? []))
    }
}

extension RewriteState {
    /// For a two-operand op: the matmul producing one operand (read only by this op) and the other operand,
    /// the first operand's matmul tried first.
    func matmulOperand(of op: Op) -> (matmul: Op, parts: FusedMatmulParts, other: ValueID)? {
        guard op.operands.count == 2 else { return nil }
        for (mine, other) in [(op.operands[0], op.operands[1]), (op.operands[1], op.operands[0])] {
            if let producer = soleProducer(of: mine), let parts = FusedMatmulParts(producer) {
                return (producer, parts, other)
            }
        }
        return nil
    }
}
