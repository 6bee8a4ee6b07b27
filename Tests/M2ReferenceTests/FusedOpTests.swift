import M2IR
@testable import M2Reference
import Testing

/// The fused ops' Float64 evaluation equals that of the op chains they replace.
@Suite struct FusedOpTests {
    static func tensor(_ shape: [Int], seed: Int) -> Tensor64 {
        let count = shape.reduce(1, *)
        return Tensor64(shape: shape, values: (0..<count).map { Double(($0 * 37 + seed * 11) % 23) / 7 - 1.5 })
    }

    func run(_ kind: OpKind, _ operands: [Tensor64], _ types: [TensorType], batch: Int = 2) throws -> Tensor64 {
        let type = try kind.inferType(types)
        let op = Op(kind: kind, operands: types.indices.map { ValueID($0) }, result: ValueID(types.count), type: type)
        return try ReferenceInterpreter.evaluate(op, operands: operands, operandTypes: types, batch: batch)
    }

    @Test func gluIsGeluOfTheFirstHalfTimesTheSecond() throws {
        let xt = TensorType.f32([3, 8], batched: true), half = TensorType.f32([3, 4], batched: true)
        let x = Self.tensor([2, 3, 8], seed: 1)
        let fused = try run(.glu(.gelu), [x], [xt])
        let gate = try run(.unary(.gelu), [try run(.slice(axis: 1, start: 0, end: 4), [x], [xt])], [half])
        let linear = try run(.slice(axis: 1, start: 4, end: 8), [x], [xt])
        #expect(fused == (try run(.binary(.mul), [gate, linear], [half, half])))
    }

    @Test func addLayerNormIsLayerNormOfTheSum() throws {
        let at = TensorType.f32([3, 5], batched: true), bt = TensorType.f32([3, 5]), pt = TensorType.f32([5])
        let a = Self.tensor([2, 3, 5], seed: 2), b = Self.tensor([3, 5], seed: 3)
        let gamma = Self.tensor([5], seed: 4), beta = Self.tensor([5], seed: 5)
        let fused = try run(.addLayerNorm(eps: 1e-5), [a, b, gamma, beta], [at, bt, pt, pt])
        let sum = try run(.binary(.add), [a, b], [at, bt])
        #expect(fused == (try run(.layerNorm(eps: 1e-5), [sum, gamma, beta], [at, pt, pt])))
        #expect(fused != sum)
    }

    @Test func fusedMatmulAppliesItsEpilogueInOrder() throws {
        let xt = TensorType.f32([3, 6], batched: true), wt = TensorType.f32([2, 4, 3]), yt = TensorType.f32([3, 7], batched: true)
        let bt = TensorType.f32([7])
        let x = Self.tensor([2, 3, 6], seed: 6), w = Self.tensor([2, 4, 3], seed: 7)
        let bias = Self.tensor([7], seed: 8), residual = Self.tensor([2, 3, 7], seed: 9)
        let fused = try run(.fusedMatmul(outFeatures: 7, epilogue: [.bias, .unary(.gelu), .residual]),
                            [x, w, bias, residual], [xt, wt, bt, yt])
        let product = try run(.blockDiagMatmul(outFeatures: 7), [x, w], [xt, wt])
        let biased = try run(.binary(.add), [product, bias], [yt, bt])
        let activated = try run(.unary(.gelu), [biased], [yt])
        #expect(fused == (try run(.binary(.add), [activated, residual], [yt, yt])))
        let reordered = try run(.fusedMatmul(outFeatures: 7, epilogue: [.bias, .residual, .unary(.gelu)]),
                                [x, w, bias, residual], [xt, wt, bt, yt])
        #expect(fused != reordered)
    }

    @Test func fusedMatmulGLUIsGLUOfTheBiasedProduct() throws {
        let xt = TensorType.f32([3, 6], batched: true), wt = TensorType.f32([2, 4, 3]), yt = TensorType.f32([3, 8], batched: true)
        let bt = TensorType.f32([8])
        let x = Self.tensor([2, 3, 6], seed: 10), w = Self.tensor([2, 4, 3], seed: 11), bias = Self.tensor([8], seed: 12)
        let fused = try run(.fusedMatmul(outFeatures: 8, epilogue: [.bias, .glu(.gelu)]), [x, w, bias], [xt, wt, bt])
        let product = try run(.blockDiagMatmul(outFeatures: 8), [x, w], [xt, wt])
        let biased = try run(.binary(.add), [product, bias], [yt, bt])
        #expect(fused.shape == [2, 3, 4])
        #expect(fused == (try run(.glu(.gelu), [biased], [yt])))
    }

    @Test func aGLUStepMustBeLastAndHalveAnEvenWidth() throws {
        let xt = TensorType.f32([3, 6], batched: true), wt = TensorType.f32([7, 6])
        #expect(throws: ShapeError.self) { try OpKind.fusedMatmul(outFeatures: 7, epilogue: [.glu(.gelu)]).inferType([xt, wt]) }
        let w8 = TensorType.f32([8, 6])
        #expect(throws: ShapeError.self) {
            try OpKind.fusedMatmul(outFeatures: 8, epilogue: [.glu(.gelu), .unary(.tanh)]).inferType([xt, w8])
        }
        #expect(try OpKind.fusedMatmul(outFeatures: 8, epilogue: [.unary(.tanh), .glu(.gelu)]).inferType([xt, w8])
                == .f32([3, 4], batched: true))
    }
}
