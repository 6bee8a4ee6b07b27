import Foundation
import M2IR
import M2TargetCPU
import M2Weights
import Testing

/// `fused_matmul` epilogues (bias, GELU, residual) on the GEMM edge cases of `GemmKernelTests`, with every ISA's
/// micro-kernel and OpenBLAS, machine caches and tiny ones (k split into slices: the epilogue must run once,
/// after the last slice), compared with the reference loops.
@Suite("GEMM epilogues: every ISA and OpenBLAS vs reference loops", .serialized)
struct GemmEpilogueTests {
    static let batch = GemmKernelTests.batch

    static func model() throws -> TestModels.Model {
        var b = GraphBuilder(name: "epilogues")
        let tensors = InMemoryTensors(origin: "test")
        var inputs: [String: [Double]] = [:]
        var operands: [[ValueID]] = []
        for (i, c) in GemmKernelTests.cases.enumerated() {
            let p = (c.n + c.nb - 1) / c.nb, q = (c.m + c.nb - 1) / c.nb
            let shape = c.nb == 1 ? [q, p] : [c.nb, q, p]
            tensors.insert("w\(i)", shape: shape, values: TestModels.values(shape.reduce(1, *), seed: 40 + i))
            tensors.insert("b\(i)", shape: [c.m], values: TestModels.values(c.m, seed: 60 + i))
            let w = try b.weight("w\(i)", shape: shape), bias = try b.weight("b\(i)", shape: [c.m])
            let x = try b.input("x\(i)", type: .f32([c.rows, c.n], batched: true))
            let r = try b.input("r\(i)", type: .f32([c.rows, c.m], batched: true))
            inputs["x\(i)"] = TestModels.values(batch * c.rows * c.n, seed: 80 + i).map { 3 * Double($0) }
            inputs["r\(i)"] = TestModels.values(batch * c.rows * c.m, seed: 90 + i).map(Double.init)
            operands.append([x, w, bias, r])
        }
        for (i, c) in GemmKernelTests.cases.enumerated() {
            let steps: [EpilogueStep] = [.bias, .unary(.gelu), .residual]
            b.output("y\(i)", try b.add(.fusedMatmul(outFeatures: c.m, epilogue: steps), operands[i]))
        }
        return TestModels.Model(graph: b.graph, weights: WeightStore([tensors]), inputs: inputs, batch: batch)
    }

    func check(_ variant: GemmKernelTests.Variant, caches: CacheSizes, compiler: String, cflags: String = CHarness.strict,
               openMP: Bool = true) throws {
        let model = try Self.model()
        let options = CPUEmitOptions(isa: variant.isa, gemm: variant.gemm, caches: caches)
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "epilogues", options: options)
        let source = try #require(library.text("epilogues.c"))
        #expect(source.contains("_epilogue(const m2_epilogue *e"), "no epilogue function in the generated C")
        let harness = try CHarness(library, compiler: compiler, cflags: cflags, openMP: openMP)
        defer { harness.remove() }
        let (status, output) = try harness.run(try harness.driver(TestModels.driver(model, library: "epilogues")),
                                               [harness.weightsPath])
        #expect(status == 0 && !output.contains("error"), "\(variant) with \(compiler): \(output)")
        let expected = try ReferenceEvaluator(graph: model.graph, weights: model.weights, inputs: model.inputs,
                                              batch: model.batch).outputs()
        for (name, err) in maxRelativeError(parseOutputs(output), expected) {
            #expect(err <= 1e-5, "\(variant), \(compiler), L2 \(caches.l2): \(name) differs by \(err)")
        }
    }

    @Test("every variant, gcc with OpenMP, machine and tiny caches")
    func gcc() throws {
        for v in GemmKernelTests.variants {
            try check(v, caches: .defaults, compiler: "gcc")
            try check(v, caches: GemmKernelTests.tinyCaches, compiler: "gcc")
        }
    }

    @Test("every variant, clang under ASan + UBSan, tiny caches", .enabled(if: CHarness.hasCompiler("clang")))
    func clangSanitized() throws {
        for v in GemmKernelTests.variants {
            try check(v, caches: GemmKernelTests.tinyCaches, compiler: "clang", cflags: CHarness.sanitized, openMP: false)
        }
    }
}
