import M2IR
@testable import M2Reference
import Testing

/// `monarch_conv` in the reference interpreter equals `long_conv` (the direct sum) within 1e-12 when its spectrum
/// is DFT_N(K)/N stored in the Monarch order, for 1–3 levels, factors that are not powers of two, causal and
/// bidirectional kernels, with and without D; gates and residual as the op's doc comment says.
@Suite struct MonarchConvEvaluationTests {
    struct Case: Sendable, CustomStringConvertible {
        var factors: [Int]
        var bidirectional: Bool
        var skip: Bool
        var description: String { "\(factors) bidirectional=\(bidirectional) skip=\(skip)" }
    }

    static let cases: [Case] = [
        Case(factors: [16], bidirectional: true, skip: true),
        Case(factors: [4, 4], bidirectional: false, skip: true),
        Case(factors: [12, 16], bidirectional: true, skip: false),
        Case(factors: [6, 5], bidirectional: false, skip: false),
        Case(factors: [4, 3, 8], bidirectional: true, skip: true),
        Case(factors: [2, 2, 2, 3], bidirectional: true, skip: true),
    ]

    static func random(_ count: Int, seed: Int) -> [Double] {
        var state = UInt64(seed) &* 0x9E3779B97F4A7C15
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
    }

    /// DFT_N(K)/N per channel (K: k_fwd, D on tap 0, k_rev reversed in the upper half), in Monarch order.
    static func spectrum(kFwd: [Double], kRev: [Double]?, d: [Double]?, h: Int, l: Int, factors: [Int]) -> [Double] {
        let n = 2 * l
        var re = [Double](repeating: 0, count: h * n), im = re
        for c in 0..<h {
            var kernel = [Double](repeating: 0, count: n)
            for i in 0..<l { kernel[i] = kFwd[c * l + i] }
            if let kRev { for i in l..<n { kernel[i] = kRev[c * l + n - 1 - i] } }
            if let d { kernel[0] += d[c] }
            let f = ComplexDFT.transform(re: kernel, im: [Double](repeating: 0, count: n))
            for (position, k) in MonarchSpectrumOrder.frequencies(factors: factors).enumerated() {
                re[c * n + position] = f.re[k] / Double(n)
                im[c * n + position] = f.im[k] / Double(n)
            }
        }
        return re + im
    }

    func evaluate(_ kind: OpKind, _ operands: [Tensor64], _ types: [TensorType], batch: Int) throws -> Tensor64 {
        let op = Op(kind: kind, operands: (0..<operands.count).map { ValueID($0) }, result: ValueID(operands.count), type: types[0])
        return try ReferenceInterpreter.evaluate(op, operands: operands, operandTypes: types, batch: batch)
    }

    @Test(arguments: cases)
    func equalsTheDirectLongConv(_ c: Case) throws {
        let n = c.factors.reduce(1, *), l = n / 2, h = 3, batch = 2
        let xType = TensorType.f32([h, l], batched: true), kType = TensorType.f32([h, l])
        let x = Tensor64(shape: [batch, h, l], values: Self.random(batch * h * l, seed: 1))
        let kFwd = Self.random(h * l, seed: 2), kRev = Self.random(h * l, seed: 3), d = Self.random(h, seed: 4)
        var operands = [x, Tensor64(shape: [h, l], values: kFwd)], types = [xType, kType]
        if c.bidirectional { operands.append(Tensor64(shape: [h, l], values: kRev)); types.append(kType) }
        if c.skip { operands.append(Tensor64(shape: [h], values: d)); types.append(.f32([h])) }
        let direct = try evaluate(.longConv(bidirectional: c.bidirectional, hasSkip: c.skip), operands, types, batch: batch)

        let s = Self.spectrum(kFwd: kFwd, kRev: c.bidirectional ? kRev : nil, d: c.skip ? d : nil, h: h, l: l, factors: c.factors)
        let viaSpectrum = try evaluate(.monarchConv(factors: c.factors, preGate: false, postGate: false, residual: false),
                                       [x, Tensor64(shape: [2, h, n], values: s)], [xType, .f32([2, h, n])], batch: batch)
        let error = zip(direct.values, viaSpectrum.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(error <= 1e-12, "\(c): max difference \(error)")
        #expect(direct.values.contains { abs($0) > 0.1 }, "a zero result would prove nothing")
    }

    @Test func gatesAndResidualFollowTheDocComment() throws {
        let factors = [4, 2], l = 4, h = 2, batch = 1, n = 8
        let xType = TensorType.f32([h, l], batched: true)
        let tensors = (1...4).map { Tensor64(shape: [batch, h, l], values: Self.random(h * l, seed: $0)) }
        let s = Tensor64(shape: [2, h, n], values: Self.random(2 * h * n, seed: 9))
        let sType = TensorType.f32([2, h, n])
        let plain = { (x: Tensor64) in
            try self.evaluate(.monarchConv(factors: factors, preGate: false, postGate: false, residual: false), [x, s], [xType, sType], batch: batch)
        }
        let fused = try evaluate(.monarchConv(factors: factors, preGate: true, postGate: true, residual: true),
                                 tensors + [s], [xType, xType, xType, xType, sType], batch: batch)
        let gatedInput = Tensor64(shape: tensors[0].shape, values: zip(tensors[0].values, tensors[1].values).map(*))
        let expected = try plain(gatedInput).values.indices.map { i in
            try plain(gatedInput).values[i] * tensors[2].values[i] + tensors[3].values[i]
        }
        let error = zip(expected, fused.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(error <= 1e-12)
    }
}
