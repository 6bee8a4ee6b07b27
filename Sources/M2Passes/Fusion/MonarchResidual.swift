import M2IR

extension RewriteRule {
    /// `monarch-residual`: add(monarch_conv(…), r) (either operand order) → monarch_conv(…) with residual r, when
    /// the convolution has no other reader and r has the result's type [..., H, L]:
    ///
    ///     %8 = monarch_conv %3, %2, %6 {…, residual = false}
    ///     %9 = add %8, %5 : f32[B,8,16]                        →   %9 = monarch_conv %3, %2, %5, %6 {…, residual = true}
    static let monarchResidual = RewriteRule("monarch-residual") { op, state in
        guard case .binary(.add) = op.kind,
              var (conv, residual) = state.monarchConvOperand(of: op, accepting: { $0.residual == nil }) else { return nil }
        conv.residual = residual
        return conv.rewrite
    }
}
