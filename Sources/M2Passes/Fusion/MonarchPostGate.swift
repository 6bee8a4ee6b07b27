import M2IR

extension RewriteRule {
    /// `monarch-post-gate`: mul(monarch_conv(…), g) (either operand order) → monarch_conv(…) with post-gate g,
    /// when the convolution has no other reader, has no residual yet ((c + r)·g is not c·g + r), and g has the
    /// result's type:
    ///
    ///     %7 = monarch_conv %3, %6 {…, post_gate = false, …}
    ///     %8 = mul %7, %2 : f32[B,8,16]                        →   %8 = monarch_conv %3, %2, %6 {…, post_gate = true, …}
    static let monarchPostGate = RewriteRule("monarch-post-gate") { op, state in
        guard case .binary(.mul) = op.kind,
              var (conv, gate) = state.monarchConvOperand(of: op, accepting: { $0.postGate == nil && $0.residual == nil })
        else { return nil }
        conv.postGate = gate
        return conv.rewrite
    }
}
