import M2IR

extension RewriteRule {
    /// `add(matmul, b)` with b f32[out] (unbatched) → the matmul with a `bias` epilogue step (either operand order).
    static let matmulBias = RewriteRule("matmul-bias") { op, state in
        guard case .binary(.add) = op.kind, let (matmul, parts, bias) = state.matmulOperand(of: op),
              matmul.type == op.type, state.type(of: bias) == .f32([parts.outFeatures]) else { return nil }
        return parts.appending(.bias, operand: bias)
    }
}
