import M2IR

extension RewriteRule {
    /// `f(matmul)` for an element-wise f → the matmul with `f` as its next epilogue step.
    static let matmulActivation = RewriteRule("matmul-activation") { op, state in
        guard case .unary(let f) = op.kind, let x = op.soleOperand, let matmul = state.soleProducer(of: x),
              let parts = FusedMatmulParts(matmul) else { return nil }
        return parts.appending(.unary(f))
    }
}
