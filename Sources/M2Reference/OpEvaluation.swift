import M2IR

extension ReferenceInterpreter {
    /// Evaluates one non-leaf op (or a constant) on the given operand tensors in Float64.
    /// Batched operands carry the batch as their first dimension (`batch` items); unbatched operands
    /// (weights, constants) have none. Operand types are re-checked against the op's shape rules first,
    /// so a malformed graph is reported rather than read out of bounds.
    public static func evaluate(_ op: Op, operands: [Tensor64], operandTypes: [TensorType],
                                batch: Int?) throws(InterpreterError) -> Tensor64 {
        let label = describe(op)
        guard operands.count == operandTypes.count else {
            throw .invalidOperands(op: label, reason: "\(operands.count) operand tensors for \(operandTypes.count) operand types")
        }
        for (i, (t, type)) in zip(operands, operandTypes).enumerated() {
            if type.batched && batch == nil {
                throw .unsupportedOp(op: label, reason: "operand \(i) (\(type)) depends on the run-time batch")
            }
            let expected = (type.batched ? [batch ?? 1] : []) + type.shape
            guard t.shape == expected else {
                throw .invalidOperands(op: label, reason: "operand \(i) has shape \(t.shape), its type \(type) needs \(expected)")
            }
        }
        let resultType: TensorType
        do {
            resultType = try op.kind.inferType(operandTypes, reshapeTo: op.type.shape, leafType: op.type)
        } catch {
            throw .invalidOperands(op: label, reason: error.message)
        }
        // Offset from a static axis to the full-shape axis of a tensor of type t.
        func full(_ axis: Int, _ t: TensorType) -> Int { axis + (t.batched ? 1 : 0) }
        func requireUnbatched(_ indices: Range<Int>) throws(InterpreterError) {
            for i in indices where operandTypes[i].batched {
                throw .unsupportedOp(op: label, reason: "operand \(i) must not depend on the batch, got \(operandTypes[i])")
            }
        }

        switch op.kind {
        case .input(let name):
            throw .unsupportedOp(op: label, reason: "the run-time input '\(name)' is only known when the model runs")
        case .weight(let key):
            throw .unsupportedOp(op: label, reason: "weight '\(key)' must be loaded from a weight store")
        case .constant(let data):
            return Tensor64(shape: op.type.shape, values: data.values)

        case .blockDiagMatmul(let m):
            try requireUnbatched(1..<2)
            return BlockDiagMatmulKernel.run(x: operands[0], weight: operands[1], weightShape: operandTypes[1].shape,
                                             outFeatures: m)
        case .unary(let fn):
            return ElementwiseKernels.map(operands[0], ElementwiseKernels.function(fn))
        case .scale(let c):
            return ElementwiseKernels.map(operands[0]) { $0 * c }
        case .shift(let c):
            return ElementwiseKernels.map(operands[0]) { $0 + c }
        case .binary(let fn):
            return ElementwiseKernels.binary(fn, operands[0], operandTypes[0], operands[1], operandTypes[1],
                                             resultType: resultType, batch: batch)
        case .layerNorm(let eps):
            return NormalizationKernels.layerNorm(x: operands[0], gamma: operands[1], beta: operands[2], eps: eps)
        case .reduce(let fn, let axis):
            return NormalizationKernels.reduce(fn, x: operands[0], axis: full(axis, operandTypes[0]))
        case .gather:
            return try GatherKernel.run(table: operands[0], ids: operands[1], itemSize: operandTypes[1].elementCount,
                                        idsName: "ids of \(label)")
        case .shortConv(let taps, let layout):
            try requireUnbatched(1..<operands.count)
            // Channels-last runs the channels-first arithmetic between two transposes: the reference stays one
            // implementation of the semantics.
            let x = layout == .channelsLast ? LayoutKernels.swapLastTwoAxes(operands[0]) : operands[0]
            let y = ConvolutionKernels.shortConv(x: x, weight: operands[1],
                                                 bias: operands.count == 3 ? operands[2] : nil, taps: taps)
            return layout == .channelsLast ? LayoutKernels.swapLastTwoAxes(y) : y
        case .longConv(let bidirectional, let hasSkip):
            try requireUnbatched(1..<operands.count)
            return ConvolutionKernels.longConv(x: operands[0], kFwd: operands[1],
                                               kRev: bidirectional ? operands[2] : nil,
                                               skip: hasSkip ? operands[operands.count - 1] : nil)
        case .monarchConv(let factors, let preGate, let postGate, let residual, let layout, let inputConv):
            try requireUnbatched(operands.count - 1..<operands.count)
            let channelsFirst = { (t: Tensor64) in layout == .channelsLast ? LayoutKernels.swapLastTwoAxes(t) : t }
            // x, g1?, g2?, r?, spectrum — with an input convolution, x and the gates are segments of it first.
            var data = operands
            if let inputConv {
                try requireUnbatched(1..<3)
                let s = channelsFirst(ConvolutionKernels.shortConv(x: channelsFirst(operands[0]), weight: operands[1],
                                                                   bias: operands[2], taps: inputConv.taps))
                let h = operandTypes[operandTypes.count - 1].shape[1], last = s.shape.count - 1
                data = inputConv.segments.map { LayoutKernels.slice(s, axis: last, start: $0 * h, end: ($0 + 1) * h) }
                    + operands[3...]
            }
            var next = 1
            func take(_ present: Bool) -> Tensor64? {
                guard present else { return nil }
                defer { next += 1 }
                return channelsFirst(data[next])
            }
            let g1 = take(preGate), g2 = take(postGate), r = take(residual)
            let y = MonarchConvKernel.run(x: channelsFirst(data[0]), preGate: g1, postGate: g2, residual: r,
                                          spectrum: data[next], factors: factors)
            return channelsFirst(y)
        case .transpose(let perm):
            let offset = operandTypes[0].batched ? 1 : 0
            let fullPerm = (offset == 1 ? [0] : []) + perm.map { $0 + offset }
            return LayoutKernels.transpose(operands[0], perm: fullPerm)
        case .reshape:
            return Tensor64(shape: (resultType.batched ? [batch ?? 1] : []) + resultType.shape, values: operands[0].values)
        case .slice(let axis, let start, let end):
            return LayoutKernels.slice(operands[0], axis: full(axis, operandTypes[0]), start: start, end: end)
        case .concat(let axis):
            return LayoutKernels.concat(operands, batched: operandTypes.map(\.batched), staticAxis: axis, batch: batch)
        case .cast(let to):
            switch to {
            case .f32: return operands[0]
            // Like a C conversion: the fraction is dropped.
            case .i32: return ElementwiseKernels.map(operands[0]) { $0.rounded(.towardZero) }
            }
        case .glu(let f):
            return FusedKernels.glu(operands[0], f)
        case .addLayerNorm(let eps):
            return FusedKernels.addLayerNorm(operands, operandTypes, resultType: resultType, batch: batch, eps: eps)
        case .fusedMatmul(let m, let epilogue):
            try requireUnbatched(1..<2)
            return FusedKernels.fusedMatmul(operands, operandTypes, resultType: resultType, batch: batch,
                                            outFeatures: m, epilogue: epilogue)
        }
    }

    /// "gather %7 (bert.embeddings/word)" — how ops are named in errors.
    static func describe(_ op: Op) -> String {
        "\(op.kind.mnemonic) \(op.result)" + (op.name.map { " (\($0))" } ?? "")
    }
}
