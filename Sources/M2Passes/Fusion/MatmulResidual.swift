import M2IR

/// Precedence with `residual-layer-norm`: in `layer_norm(add(matmul, r))` the sweep visits the add first, so
/// this rule takes it and the LayerNorm stays alone. Both choices run two kernels; folding r into the GEMM
/// epilogue reads it while the (compute-bound) GEMM runs instead of in the memory-bound normalisation, and
/// measured faster (docs/PERFORMANCE.md, "Fusion"); `--disable-fusion matmul-residual` gives the other form.
extension RewriteRule {
    /// `add(matmul, r)` with r of the matmul's type → the matmul with a `residual` epilogue step (either order).
    static let matmulResidual = RewriteRule("matmul-residual") { op, state in
        guard case .binary(.add) = op.kind, let (matmul, parts, residual) = state.matmulOperand(of: op),
              matmul.type == op.type, state.type(of: residual) == op.type else { return nil }
        return parts.appending(.residual, operand: residual)
    }
}
