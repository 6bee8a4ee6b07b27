import M2IR

extension RewriteRule {
    /// `monarch-pre-gate`: monarch_conv(mul(a, b)) → monarch_conv(a) with pre-gate b, when the mul has no other
    /// reader and a, b and the product share one type (no broadcasting):
    ///
    ///     %5 = mul %3, %4 : f32[B,8,16]
    ///     %7 = monarch_conv %5, %6 {…, pre_gate = false, …}   →   %7 = monarch_conv %3, %4, %6 {…, pre_gate = true, …}
    static let monarchPreGate = RewriteRule("monarch-pre-gate") { op, state in
        guard var conv = MonarchConvOperands(op), conv.preGate == nil,
              let product = state.soleProducer(of: conv.input), case .binary(.mul) = product.kind,
              product.operands.count == 2,
              product.operands.allSatisfy({ state.type(of: $0) == product.type }) else { return nil }
        conv.input = product.operands[0]
        conv.preGate = product.operands[1]
        return conv.rewrite
    }
}
