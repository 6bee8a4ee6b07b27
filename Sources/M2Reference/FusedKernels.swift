import M2IR

/// The fused ops, evaluated as the chains of primitive kernels they replace, so the reference of a fused
/// graph is the reference of the unfused one by construction.
enum FusedKernels {
    /// f(x[..., :I]) ⊙ x[..., I:] along the last (full-shape) axis.
    static func glu(_ x: Tensor64, _ f: UnaryFn) -> Tensor64 {
        let axis = x.shape.count - 1, half = x.shape[axis] / 2
        let gate = ElementwiseKernels.map(LayoutKernels.slice(x, axis: axis, start: 0, end: half), ElementwiseKernels.function(f))
        let value = LayoutKernels.slice(x, axis: axis, start: half, end: 2 * half)
        let mul = ElementwiseKernels.function(BinaryFn.mul)
        return Tensor64(shape: gate.shape, values: zip(gate.values, value.values).map(mul))
    }

    /// LayerNorm(a + b); `types` are the operands' IR types (a summand may be unbatched).
    static func addLayerNorm(_ operands: [Tensor64], _ types: [TensorType], resultType: TensorType, batch: Int?,
                             eps: Double) -> Tensor64 {
        let sum = ElementwiseKernels.binary(.add, operands[0], types[0], operands[1], types[1],
                                            resultType: resultType, batch: batch)
        return NormalizationKernels.layerNorm(x: sum, gamma: operands[2], beta: operands[3], eps: eps)
    }

    /// The block-diagonal product, then each epilogue step in order (bias/residual as a broadcasting add).
    static func fusedMatmul(_ operands: [Tensor64], _ types: [TensorType], resultType: TensorType, batch: Int?,
                            outFeatures: Int, epilogue: [EpilogueStep]) -> Tensor64 {
        var y = BlockDiagMatmulKernel.run(x: operands[0], weight: operands[1], weightShape: types[1].shape,
                                          outFeatures: outFeatures)
        // The steps before a GLU see the whole product (outFeatures columns, twice the result's).
        let productType = resultType.with(shape: Array(resultType.shape.dropLast()) + [outFeatures])
        var next = 2
        for step in epilogue {
            switch step {
            case .unary(let f):
                y = ElementwiseKernels.map(y, ElementwiseKernels.function(f))
            case .bias, .residual:
                y = ElementwiseKernels.binary(.add, y, productType, operands[next], types[next],
                                              resultType: productType, batch: batch)
                next += 1
            case .glu(let f):
                y = glu(y, f)
            }
        }
        return y
    }
}
