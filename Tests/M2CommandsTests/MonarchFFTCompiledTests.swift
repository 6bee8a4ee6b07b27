import Foundation
import M2Frontend
import M2IR
import M2Passes
import M2Reference
import M2Weights
import Testing
@testable import M2Commands

/// The lowered convolution as float32 C (CPU back end, built with make and loaded) against the Float64 direct
/// sum of the un-lowered graph: every forced factorization, bidirectional and causal, with and without D.
@Suite("Monarch-FFT long convolution, compiled", .serialized)
struct MonarchFFTCompiledTests {
    static let forcedShapes = ["16x16", "8x8x8", "12x16", "32x32x16"]

    @Test(arguments: forcedShapes, [(true, true), (false, false)])
    func compiledLoweredConvMatchesTheDirectSum(_ shape: String, _ variant: (bidirectional: Bool, skip: Bool)) throws {
        let plan = try #require(MonarchFactorization(parsing: shape))
        let (h, l, batch) = (plan.length > 4096 ? 2 : 4, plan.sequenceLength, 2)
        var random = Random(seed: UInt64(plan.length) + (variant.bidirectional ? 1 : 0))
        var b = GraphBuilder(name: "conv_\(shape.replacingOccurrences(of: "x", with: "_"))")
        let x = try b.input("x", type: .f32([h, l], batched: true))
        var operands = [x, try b.constant(random.values(h * l), shape: [h, l])]
        if variant.bidirectional { operands.append(try b.constant(random.values(h * l), shape: [h, l])) }
        if variant.skip { operands.append(try b.constant(random.values(h), shape: [h])) }
        b.output("y", try b.add(.longConv(bidirectional: variant.bidirectional, hasSkip: variant.skip), operands))
        let direct = b.graph
        let input = random.values(batch * h * l)

        var lowered = direct
        var context = PassContext()
        try PassPipeline([LowerLongConv(forced: plan), Canonicalize(), DeadCodeElimination()]).run(&lowered, context: &context)
        #expect(!lowered.ops.contains { if case .longConv = $0.kind { return true } else { return false } })

        let directory = try CPUBuild.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let library = try CPUEmitterHarness.load(lowered, directory: directory)
        let compiled = try #require(try library.forward(graph: lowered, inputs: ["x": input], batch: batch)["y"])
        let reference = try #require(try ReferenceInterpreter(graph: direct, weights: nil).run(inputValues: ["x": input], batch: batch)["y"])
        #expect(compiled.shape == reference.shape)
        let metrics = ErrorMetrics.compare(compiled.values, reference.values)
        #expect(metrics.relL2 <= 1e-5, "\(shape) \(variant): \(metrics)")
    }

    /// The golden fixtures through the CPU pipeline, whose IR has no long_conv left: fused monarch_conv ops by
    /// default (gates and the residual convolution absorbed), the expanded Monarch-FFT form with --no-fusion.
    @Test func cpuPipelineLowersEveryConvolutionOfAFixture() throws {
        let config = try #require(Fixtures.golden("tiny", "config.json"))
        let weights = try #require(Fixtures.golden("tiny", "weights.safetensors"))
        let pooler = try #require(Fixtures.golden("tiny", "pooler.safetensors"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-fft-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var importCommand = try M2C.parseAsRoot(["import", config.path, "-o", "\(dir)/tiny.m2"])
        try importCommand.run()
        func ir(_ extra: [String]) throws -> String {
            var irCommand = try M2C.parseAsRoot(["ir", "\(dir)/tiny.m2", "--weights", weights.path, "--weights", pooler.path,
                                                 "--target", "cpu", "-o", "\(dir)/tiny.ir"] + extra)
            try irCommand.run()
            return try String(contentsOfFile: "\(dir)/tiny.ir", encoding: .utf8)
        }
        let fused = try ir([])
        #expect(!fused.contains("long_conv") && !fused.contains("stage = \"product\""))
        #expect(fused.components(separatedBy: "pre_gate = true, post_gate = true, residual = true").count - 1 == 2,
                "one fully fused convolution per layer:\n\(fused)")
        let expanded = try ir(["--no-fusion"])
        #expect(!expanded.contains("long_conv") && !expanded.contains("monarch_conv"))
        #expect(expanded.contains("monarch = "))
        #expect(expanded.contains("stage = \"product\""))
    }
}

/// Emits, builds and loads a graph that has no weights (its constants go into the .m2w).
enum CPUEmitterHarness {
    static func load(_ graph: Graph, directory: String) throws -> GeneratedLibrary {
        let model = ElaboratedModel(graph: graph, modelName: graph.name, params: [], sources: [:])
        let session = CompilerSession(model: model, weights: WeightStore(),
                                      renderer: .init(sources: [:]), log: { _ in })
        return try CPUBuild.load(graph, session: session, name: graph.name, directory: directory)
    }
}

/// Deterministic values in [−1, 1).
struct Random {
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
