import M2IR
import M2Passes
import M2Reference
import M2Support
import Testing

/// A long convolution with constant random kernels, the graph `lower-long-conv` rewrites, and random inputs.
struct LongConvCase {
    let graph: Graph
    let input: [Double]
    let batch = 2

    init(channels h: Int, length l: Int, bidirectional: Bool, skip: Bool, seed: UInt64 = 1) throws {
        var random = SplitMix(seed: seed)
        var b = GraphBuilder(name: "conv")
        let x = try b.input("x", type: .f32([h, l], batched: true))
        var operands = [x, try b.constant(random.values(h * l), shape: [h, l])]
        if bidirectional { operands.append(try b.constant(random.values(h * l), shape: [h, l])) }
        if skip { operands.append(try b.constant(random.values(h), shape: [h])) }
        let y = try b.add(.longConv(bidirectional: bidirectional, hasSkip: skip), operands,
                          location: SourceLocation(file: "conv.m2", line: 7, column: 3), name: "mixer/y")
        b.output("y", y)
        graph = b.graph
        input = random.values(batch * h * l)
    }

    func run(_ g: Graph) throws -> [Double] {
        try #require(try ReferenceInterpreter(graph: g, weights: nil).run(inputValues: ["x": input], batch: batch)["y"]).values
    }

    func lowered(_ pass: LowerLongConv = LowerLongConv()) throws -> Graph {
        var g = graph
        var context = PassContext()
        try PassPipeline([pass]).run(&g, context: &context)
        return g
    }
}

/// Deterministic values in [−1, 1).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) * 2 - 1
    }
    mutating func values(_ n: Int) -> [Double] { (0..<n).map { _ in next() } }
}

func relativeL2(_ a: [Double], _ b: [Double]) -> Double {
    var num = 0.0, den = 0.0
    for (x, y) in zip(a, b) { num += (x - y) * (x - y); den += y * y }
    return (num / den).squareRoot()
}

@Suite("lower-long-conv in Float64")
struct LowerLongConvTests {
    static let forcedShapes = ["16x16", "8x8x8", "12x16", "32x32x16"]

    @Test(arguments: forcedShapes, [(true, true), (true, false), (false, true), (false, false)])
    func loweredEqualsDirect(_ shape: String, _ variant: (bidirectional: Bool, skip: Bool)) throws {
        let plan = try #require(MonarchFactorization(parsing: shape))
        let c = try LongConvCase(channels: plan.length > 4096 ? 2 : 3, length: plan.sequenceLength,
                                 bidirectional: variant.bidirectional, skip: variant.skip)
        let lowered = try c.lowered(LowerLongConv(forced: plan))
        #expect(!lowered.ops.contains { if case .longConv = $0.kind { return true } else { return false } })
        let error = relativeL2(try c.run(lowered), try c.run(c.graph))
        #expect(error <= 1e-12, "\(shape) \(variant): rel L2 \(error)")
    }

    @Test func chosenFactorizationAlsoMatches() throws {
        for l in [8, 96, 128, 320] {
            let c = try LongConvCase(channels: 2, length: l, bidirectional: true, skip: true, seed: UInt64(l))
            let error = relativeL2(try c.run(try c.lowered()), try c.run(c.graph))
            #expect(error <= 1e-12, "L = \(l): rel L2 \(error)")
        }
    }

    /// The check can fail: a wrong spectrum (D dropped) is far off.
    @Test func aBrokenKernelIsDetected() throws {
        let c = try LongConvCase(channels: 2, length: 32, bidirectional: true, skip: true)
        var wrong = c.graph
        let i = try #require(wrong.ops.firstIndex { if case .longConv = $0.kind { return true } else { return false } })
        wrong.ops[i].kind = .longConv(bidirectional: true, hasSkip: false)
        wrong.ops[i].operands.removeLast()
        var context = PassContext()
        try PassPipeline([LowerLongConv()]).run(&wrong, context: &context)
        #expect(relativeL2(try c.run(wrong), try c.run(c.graph)) > 1e-3)
    }

    @Test func loweredOpsAreAnnotatedAndKeepProvenance() throws {
        let c = try LongConvCase(channels: 2, length: 128, bidirectional: true, skip: false)
        let lowered = try c.lowered(LowerLongConv(forced: MonarchFactorization([16, 16])))
        let arithmetic = lowered.ops.filter { !$0.kind.isLeaf || $0.kind != .input(name: "x") }.filter {
            if case .input = $0.kind { return false }
            if case .constant = $0.kind, $0.annotations["monarch"] == nil { return false }
            return true
        }
        for op in arithmetic {
            #expect(op.annotations["monarch"] == .string("16x16"))
            #expect(op.location == SourceLocation(file: "conv.m2", line: 7, column: 3))
            #expect(op.name == "mixer/y")
        }
        let stages = Set(arithmetic.compactMap { if case .string(let s) = $0.annotations["stage"] { return s } else { return nil } })
        #expect(stages.isSuperset(of: ["fwd1", "fwd1.twiddle", "fwd2", "product", "inv2", "inv1.twiddle", "inv1"]))
        // Pruned: the first forward stage reads only the first half of digit n1, the last inverse stage
        // writes only the first half; both use 2 real GEMMs, the full stages 4.
        let gemms = lowered.ops.filter { if case .blockDiagMatmul = $0.kind { return true } else { return false } }
        #expect(gemms.count == 2 + 4 + 4 + 2)
        #expect(lowered.ops.contains { $0.type.shape == [16, 8] && $0.annotations["stage"] == .string("fwd1") })
        #expect(lowered.ops.contains { $0.type.shape == [8, 16] && $0.annotations["stage"] == .string("inv1") })
    }

    @Test func annotationOnTheOpForcesItsFactorization() throws {
        let c = try LongConvCase(channels: 2, length: 32, bidirectional: false, skip: true)
        var g = c.graph
        let i = try #require(g.ops.firstIndex { if case .longConv = $0.kind { return true } else { return false } })
        g.ops[i].annotations[LowerLongConv.forcedFactorsAnnotation] = .string("4x2x8")
        var context = PassContext()
        try PassPipeline([LowerLongConv()]).run(&g, context: &context)
        #expect(g.ops.contains { $0.annotations["monarch"] == .string("4x2x8") })
        #expect(relativeL2(try c.run(g), try c.run(c.graph)) <= 1e-12)
    }

    @Test func wrongForcedLengthIsAnErrorAtTheOp() throws {
        let c = try LongConvCase(channels: 2, length: 32, bidirectional: false, skip: false)
        var g = c.graph
        var context = PassContext()
        let error = try #require(throws: Diagnostic.self) {
            try LowerLongConv(forced: MonarchFactorization([16, 16])).run(&g, &context)
        }
        #expect(error.location == SourceLocation(file: "conv.m2", line: 7, column: 3))
        #expect(error.message.contains("N = 2L = 64"))
    }

    /// A length whose 2L has a prime factor above 64 stays a direct sum in both Monarch passes: still correct
    /// (the direct kernel), with one warning at the op that says why and names the nearest lengths that lower.
    @Test(arguments: [false, true])
    func primeLengthStaysDirectWithAWarningNamingTheNearestSupportedLengths(_ formMonarchConv: Bool) throws {
        let c = try LongConvCase(channels: 1, length: 1021, bidirectional: true, skip: true)
        var g = c.graph
        var context = PassContext()
        if formMonarchConv { try FormMonarchConv().run(&g, &context) } else { try LowerLongConv().run(&g, &context) }
        #expect(g == c.graph)
        try #require(context.diagnostics.count == 1, "\(context.diagnostics)")
        let warning = context.diagnostics[0]
        #expect(warning.severity == .warning)
        #expect(warning.location == SourceLocation(file: "conv.m2", line: 7, column: 3))
        #expect(warning.message.hasPrefix("1 long_conv op(s) kept as direct O(L²) sums: sequence length 1021"),
                "\(warning.message)")
        #expect(warning.message.contains("2042") && warning.message.contains("largest prime factor is 1021"))
        #expect(warning.message.contains("1020 and 1023"), "\(warning.message)")
    }

    @Test func runTimeKernelsStayDirect() throws {
        var b = GraphBuilder(name: "conv")
        let x = try b.input("x", type: .f32([2, 8], batched: true))
        let k = try b.weight("k", shape: [2, 8])
        b.output("y", try b.add(.longConv(bidirectional: false, hasSkip: false), [x, k]))
        var g = b.graph
        var context = PassContext()
        try LowerLongConv().run(&g, &context)
        #expect(g == b.graph)
        #expect(context.diagnostics.count == 1)
    }
}
