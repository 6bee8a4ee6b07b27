import M2IR

extension RewriteRule {
    /// `layer_norm(add(a, b))` with a and b of the same static shape → `add_layer_norm(a, b)`. (When a is a matmul,
    /// `matmul-residual` has usually taken the add already; see MatmulResidual.swift.)
    static let residualLayerNorm = RewriteRule("residual-layer-norm") { op, state in
        guard case .layerNorm(let eps) = op.kind, op.operands.count == 3, let sum = state.soleProducer(of: op.operands[0]),
              case .binary(.add) = sum.kind, sum.operands.count == 2,
              let a = state.type(of: sum.operands[0]), let b = state.type(of: sum.operands[1]),
              a.shape == b.shape, a.dtype == .f32, b.dtype == .f32 else { return nil }
        return .update(.addLayerNorm(eps: eps), operands: sum.operands + op.operands[1...])
    }
}
