import Foundation
import M2IR
import M2TargetCPU
import M2Weights
import Testing

/// `fused_matmul` with a GLU epilogue (gemm_packed_glu.c.tmpl): gate and value micro-tiles computed together and
/// finished in one step, on whole-block halves, dense 64-aligned halves, row and column tails, inputs that are all
/// padding (k = 0 for a value block) and steps before the GLU, with every ISA's micro-kernel and machine and tiny
/// caches, against the reference loops; and clear errors where the kernel cannot pair the halves.
@Suite("GEMM GLU epilogues: every ISA vs reference loops", .serialized)
struct GLUEpilogueTests {
    static let batch = 2

    /// rows, input features n, product columns m (= 2I), blocks, and the epilogue.
    static let cases: [(rows: Int, n: Int, m: Int, nb: Int, steps: [EpilogueStep])] = [
        (37, 192, 384, 4, [.bias, .glu(.gelu)]),                      // M2-like blocks, 37 = 4·8 + 5 row tail
        (11, 300, 128, 1, [.glu(.sigmoid)]),                          // dense, halves of 64 columns
        (9, 5, 80, 2, [.residual, .unary(.tanh), .glu(.gelu)]),        // q = 40: panel tails; block 1 reads 2 of 3 inputs
        (16, 6, 32, 4, [.bias, .glu(.gelu)]),                         // block 3's inputs are all padding: k = 0
    ]

    static func model() throws -> TestModels.Model {
        var b = GraphBuilder(name: "glu_epilogues")
        let tensors = InMemoryTensors(origin: "test")
        var inputs: [String: [Double]] = [:]
        var operands: [[ValueID]] = []
        for (i, c) in cases.enumerated() {
            let p = (c.n + c.nb - 1) / c.nb, q = c.m / c.nb
            let shape = c.nb == 1 ? [q, p] : [c.nb, q, p]
            tensors.insert("w\(i)", shape: shape, values: TestModels.values(shape.reduce(1, *), seed: 140 + i))
            let w = try b.weight("w\(i)", shape: shape)
            let x = try b.input("x\(i)", type: .f32([c.rows, c.n], batched: true))
            inputs["x\(i)"] = TestModels.values(batch * c.rows * c.n, seed: 180 + i).map { 2 * Double($0) }
            var ops = [x, w]
            for step in c.steps where step.takesOperand {
                if step == .bias {
                    tensors.insert("b\(i)", shape: [c.m], values: TestModels.values(c.m, seed: 160 + i))
                    ops.append(try b.weight("b\(i)", shape: [c.m]))
                } else {
                    ops.append(try b.input("r\(i)", type: .f32([c.rows, c.m], batched: true)))
                    inputs["r\(i)"] = TestModels.values(batch * c.rows * c.m, seed: 190 + i).map(Double.init)
                }
            }
            operands.append(ops)
        }
        for (i, c) in cases.enumerated() {
            b.output("y\(i)", try b.add(.fusedMatmul(outFeatures: c.m, epilogue: c.steps), operands[i]))
        }
        return TestModels.Model(graph: b.graph, weights: WeightStore([tensors]), inputs: inputs, batch: batch)
    }

    static var isas: [CPUISA] { GemmKernelTests.variants.filter { $0.gemm == .m2c }.map(\.isa) }

    func check(_ isa: CPUISA, caches: CacheSizes, compiler: String, cflags: String = CHarness.strict,
               openMP: Bool = true) throws {
        let model = try Self.model()
        let options = CPUEmitOptions(isa: isa, gemm: .m2c, caches: caches)
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "glu_epilogues", options: options)
        let source = try #require(library.text("glu_epilogues.c"))
        #expect(source.contains("m2_gemm_glu_\(isa.rawValue)("), "no GLU GEMM in the generated C")
        let harness = try CHarness(library, compiler: compiler, cflags: cflags, openMP: openMP)
        defer { harness.remove() }
        let (status, output) = try harness.run(try harness.driver(TestModels.driver(model, library: "glu_epilogues")),
                                               [harness.weightsPath])
        #expect(status == 0 && !output.contains("error"), "\(isa) with \(compiler): \(output)")
        let expected = try ReferenceEvaluator(graph: model.graph, weights: model.weights, inputs: model.inputs,
                                              batch: model.batch).outputs()
        let got = parseOutputs(output)
        #expect(got.count == Self.cases.count, "outputs: \(got.keys.sorted())")
        for (name, err) in maxRelativeError(got, expected) {
            #expect(err <= 1e-5, "\(isa), \(compiler), L2 \(caches.l2): \(name) differs by \(err)")
        }
    }

    @Test("every ISA, gcc with OpenMP, machine and tiny caches")
    func gcc() throws {
        for isa in Self.isas {
            try check(isa, caches: .defaults, compiler: "gcc")
            try check(isa, caches: GemmKernelTests.tinyCaches, compiler: "gcc")
        }
    }

    @Test("every ISA, clang under ASan + UBSan, tiny caches", .enabled(if: CHarness.hasCompiler("clang")))
    func clangSanitized() throws {
        for isa in Self.isas {
            try check(isa, caches: GemmKernelTests.tinyCaches, compiler: "clang", cflags: CHarness.sanitized, openMP: false)
        }
    }

    /// One fused_matmul with a GLU epilogue, emitted with `options`: the error, if any.
    static func emitError(weightShape: [Int], outFeatures m: Int, options: CPUEmitOptions) throws -> String? {
        var b = GraphBuilder(name: "glu_error")
        let tensors = InMemoryTensors(origin: "test")
        tensors.insert("w", shape: weightShape, values: TestModels.values(weightShape.reduce(1, *), seed: 7))
        let w = try b.weight("w", shape: weightShape)
        let x = try b.input("x", type: .f32([4, weightShape.last! * (weightShape.count == 3 ? weightShape[0] : 1)], batched: true))
        b.output("y", try b.add(.fusedMatmul(outFeatures: m, epilogue: [.glu(.gelu)]), [x, w]))
        do {
            _ = try CPUEmitter.emit(graph: b.graph, weights: WeightStore([tensors]), name: "glu_error", options: options)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("halves the kernel cannot pair, and OpenBLAS, are clear errors")
    func errors() throws {
        // Dense halves of 48 columns: not on a 32-column AVX-512 panel (16-column panels would pair them).
        let narrow = try Self.emitError(weightShape: [96, 8], outFeatures: 96, options: CPUEmitOptions(isa: .avx512, gemm: .m2c))
        #expect(narrow?.contains("do not start on a 32-column weight panel") == true, "\(narrow ?? "no error")")
        // Three blocks: the halves split block 1.
        let odd = try Self.emitError(weightShape: [3, 4, 2], outFeatures: 12, options: CPUEmitOptions(isa: .generic, gemm: .m2c))
        #expect(odd?.contains("not whole blocks") == true, "\(odd ?? "no error")")
        let blas = try Self.emitError(weightShape: [2, 4, 2], outFeatures: 8, options: CPUEmitOptions(isa: .generic, gemm: .openblas))
        #expect(blas?.contains("GLU epilogue runs in m2c's packed GEMM only") == true, "\(blas ?? "no error")")
        let fine = try Self.emitError(weightShape: [2, 4, 2], outFeatures: 8, options: CPUEmitOptions(isa: .generic, gemm: .m2c))
        #expect(fine == nil, "\(fine ?? "")")
    }
}
