/// Operand constraints and result types of the fused ops (`glu`, `add_layer_norm`, `fused_matmul`), which
/// `OpKind.inferType` delegates to. Each restates the rules of the ops it replaces.
enum FusedShapeRules {
    static func glu(_ operands: [TensorType]) throws(ShapeError) -> TensorType {
        guard operands.count == 1 else { throw ShapeError("glu takes 1 operand, got \(operands.count)") }
        let x = operands[0]
        guard x.dtype == .f32 else { throw ShapeError("glu: operand must be f32, got \(x)") }
        guard let width = x.shape.last, width >= 2, width % 2 == 0 else {
            throw ShapeError("glu: the last axis must have an even length ≥ 2 (gate and value halves), got \(x)")
        }
        return x.with(shape: Array(x.shape.dropLast()) + [width / 2])
    }

    static func addLayerNorm(_ operands: [TensorType], eps: Double) throws(ShapeError) -> TensorType {
        guard operands.count == 4 else { throw ShapeError("add_layer_norm takes 4 operands, got \(operands.count)") }
        let a = operands[0], b = operands[1]
        guard a.dtype == .f32, b.dtype == .f32 else { throw ShapeError("add_layer_norm: summands must be f32, got \(a) and \(b)") }
        guard a.shape == b.shape else { throw ShapeError("add_layer_norm: summands must have the same shape, got \(a) and \(b)") }
        guard eps > 0 else { throw ShapeError("add_layer_norm: eps must be positive, got \(eps)") }
        guard let d = a.shape.last else { throw ShapeError("add_layer_norm: summands must have rank ≥ 1") }
        for (name, p) in zip(["gamma", "beta"], operands[2...]) {
            guard p.shape == [d], !p.batched, p.dtype == .f32 else {
                throw ShapeError("add_layer_norm: \(name) must be f32[\(d)], got \(p)")
            }
        }
        return TensorType(.f32, a.shape, batched: a.batched || b.batched)
    }

    static func fusedMatmul(_ operands: [TensorType], outFeatures m: Int,
                            epilogue: [EpilogueStep]) throws(ShapeError) -> TensorType {
        let expected = 2 + epilogue.filter(\.takesOperand).count
        guard operands.count == expected else {
            throw ShapeError("fused_matmul with epilogue \(epilogue.map(\.spelling)) takes \(expected) operands, got \(operands.count)")
        }
        guard !epilogue.isEmpty else { throw ShapeError("fused_matmul: the epilogue is empty (that is a blockdiag_matmul)") }
        let product: TensorType
        do {
            product = try OpKind.blockDiagMatmul(outFeatures: m).inferType(Array(operands[..<2]))
        } catch {
            throw ShapeError("fused_matmul: \(error.message)")
        }
        if let g = epilogue.firstIndex(where: \.isGLU) {
            guard g == epilogue.count - 1 else {
                throw ShapeError("fused_matmul: \(epilogue[g].spelling) must be the last epilogue step (it halves the columns), got \(epilogue.map(\.spelling))")
            }
            guard m % 2 == 0 else {
                throw ShapeError("fused_matmul: \(epilogue[g].spelling) needs an even number of columns (gate and value halves), got out = \(m)")
            }
        }
        var next = 2
        for step in epilogue where step.takesOperand {
            let t = operands[next]
            switch step {
            case .bias:
                guard t == .f32([m]) else { throw ShapeError("fused_matmul: bias (operand \(next)) must be f32[\(m)], got \(t)") }
            case .residual:
                guard t == product else { throw ShapeError("fused_matmul: residual (operand \(next)) must be \(product), got \(t)") }
            case .unary, .glu: break
            }
            next += 1
        }
        guard epilogue.last?.isGLU == true else { return product }
        return product.with(shape: Array(product.shape.dropLast()) + [m / 2])
    }
}
