import M2IR

/// A `monarch_conv`'s operands by role (OpKind.monarchConv: x, g1?, g2?, r?, spectrum), so the fusion rules
/// can add one role and write the operand list back in the contract's order.
struct MonarchConvOperands {
    var factors: [Int]
    var input: ValueID
    var preGate: ValueID?
    var postGate: ValueID?
    var residual: ValueID?
    var spectrum: ValueID
    var layout: SequenceLayout

    /// Nil unless `op` is a well-formed `monarch_conv`.
    init?(_ op: Op) {
        // An op with a fused input convolution has other operand roles: no rule rewrites it further.
        guard case .monarchConv(let factors, let pre, let post, let residual, let layout, nil) = op.kind,
              op.operands.count == 2 + [pre, post, residual].filter({ $0 }).count else { return nil }
        var rest = op.operands[...]
        self.factors = factors
        self.layout = layout
        input = rest.removeFirst()
        preGate = pre ? rest.removeFirst() : nil
        postGate = post ? rest.removeFirst() : nil
        self.residual = residual ? rest.removeFirst() : nil
        spectrum = rest.removeFirst()
    }

    var kind: OpKind {
        .monarchConv(factors: factors, preGate: preGate != nil, postGate: postGate != nil, residual: residual != nil,
                     layout: layout)
    }

    var operands: [ValueID] { [input] + [preGate, postGate, residual].compactMap { $0 } + [spectrum] }

    var rewrite: Rewrite { .update(kind, operands: operands) }
}

extension RewriteState {
    /// The `monarch_conv` defining one operand of the element-wise `op` (this op its sole reader, of the op's
    /// own type), with the other operand when it has that type too (no broadcasting), trying the operands in
    /// order; nil when neither qualifies.
    func monarchConvOperand(of op: Op, accepting accept: (MonarchConvOperands) -> Bool)
        -> (conv: MonarchConvOperands, other: ValueID)? {
        guard op.operands.count == 2 else { return nil }
        for (mine, other) in [(op.operands[0], op.operands[1]), (op.operands[1], op.operands[0])] {
            guard let producer = soleProducer(of: mine), producer.type == op.type, type(of: other) == op.type,
                  let conv = MonarchConvOperands(producer), accept(conv) else { continue }
            return (conv, other)
        }
        return nil
    }
}
