import M2IR

extension KernelInstantiator {
    /// The fused Monarch convolution: the shared lane-parallel support code, the op's kernel, its call (operands,
    /// arena scratch, tables) and the prologue call that fills its tables at open.
    func monarchConv(_ op: Op, values: [String: String]) throws(CPUEmitError) -> Instance {
        guard case .monarchConv(let factors, let preGate, let postGate, let residual, let layout, let inputConv) = op.kind,
              let kernelPlan = monarchPlans[op.result],
              let scratch = plan.scratchHome[op.result], let tables = plan.tableHome[op.result] else {
            throw .unsupported(op: "\(op.result) = \(op.kind.mnemonic)", reason: "a monarch_conv needs a batched [..., H, L] or [..., L, H] input")
        }
        let list = { (xs: [Int]) in xs.map(String.init).joined(separator: ", ") }
        var values = values
        values.merge([
            "H": "\(kernelPlan.channels)", "L": "\(kernelPlan.length)", "N": "\(kernelPlan.n)", "LEVELS": "\(factors.count)",
            "FACTORS": list(factors), "FACTORS_DOC": factors.map(String.init).joined(separator: "x"),
            "SPANS": list(kernelPlan.spans), "DFT_OFFSETS": list(kernelPlan.dftOffsets),
            "TWIDDLE_OFFSETS": list(kernelPlan.twiddleOffsets), "LANES": "\(kernelPlan.lanes)",
            "GROUPS": "\(kernelPlan.groups)", "SEQUENCES": "\(kernelPlan.sequences)",
            "SLOTS_PER_ITEM": "\(kernelPlan.slotsPerItem)", "SLOT_FLOATS": "\(kernelPlan.slotFloats)",
            "PAIRED": kernelPlan.pairsSequences ? "1" : "0",
            "PAIRING_DOC": kernelPlan.pairsSequences ? "two sequences per unit when there are two, two channel groups for an odd last sequence: the spectrum is Hermitian"
                : "the spectrum is not known to be Hermitian, so sequences are not paired",
            "TAPS": "\(inputConv?.taps ?? 0)", "Z_STRIDE": "\(inputConv == nil ? 0 : type(op.operands[0]).shape.last ?? 0)",
            "SEGMENTS": list(kernelPlan.segmentOffsets(inputConv, preGate: preGate, postGate: postGate)),
            "POSITION_STRIDE": "\(kernelPlan.positionStride)", "CHANNEL_STRIDE": "\(kernelPlan.channelStride)",
            "LAYOUT_DOC": layout == .channelsFirst ? "channels-first [H][L]" : "channels-last [L][H]",
            "PRE_DOC": preGate ? " ⊙ g1" : "", "POST_DOC": postGate ? " ⊙ g2" : "", "RESIDUAL_DOC": residual ? " + r" : "",
        ]) { $1 }
        guard let packedSpectrum = plan.packedWeight[op.result] else {
            throw .unsupported(op: "\(op.result) = \(op.kind.mnemonic)", reason: "the spectrum must be a compile-time constant")
        }
        var operands = op.operands.map(pointer)
        operands.removeLast()
        let spectrum = "M2_TENSOR(float, \(packedSpectrum))"
        // x, g1?, g2?, r? — or, with a fused input convolution, z, W, bias, r?.
        var input = ["NULL", "NULL", "NULL"]
        let x: String, gate1: String, gate2: String
        if let inputConv {
            guard inputConv.taps <= MonarchConvKernelPlan.maxInputTaps else {
                throw .unsupported(op: "\(op.result) = \(op.kind.mnemonic)",
                                   reason: "the fused short convolution has \(inputConv.taps) taps; the CPU kernel takes at most \(MonarchConvKernelPlan.maxInputTaps)")
            }
            input = Array(operands.prefix(3))
            operands.removeFirst(3)
            (x, gate1, gate2) = ("NULL", "NULL", "NULL")
        } else {
            x = operands.removeFirst()
            gate1 = preGate ? operands.removeFirst() : "NULL"
            gate2 = postGate ? operands.removeFirst() : "NULL"
        }
        let added = residual ? operands.removeFirst() : "NULL"
        let fn = values["FN"] ?? "monarch_conv"
        let args = [x, gate1, gate2, added, spectrum, pointer(op.result), "M2_ARENA(float, \(scratch))", "M2_STATIC(\(tables))"]
            + input
        let call = try templates.fragment("call", ["FN": fn, "ARGS": args.map { ", " + $0 }.joined(), "COMMENT": op.kind.mnemonic])
        let fill = try templates.fragment("table_call", ["FN": fn + "_tables", "TABLES": "M2_STATIC(\(tables))", "COMMENT": op.kind.mnemonic])
        let support = try templates.render("monarch_conv_support.c.tmpl", [
            "LANES": "\(kernelPlan.lanes)", "TARGET": kernelPlan.targetAttribute, "TARGET_DOC": kernelPlan.targetDescription,
        ])
        return Instance(kernel: try templates.render("monarch_conv.c.tmpl", values), call: call,
                        support: [(name: "monarch_conv_\(kernelPlan.lanes)", text: support)], prologueCall: fill)
    }
}
