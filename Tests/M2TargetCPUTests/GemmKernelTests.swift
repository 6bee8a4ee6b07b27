import Foundation
import M2IR
import M2TargetCPU
import M2Weights
import Testing

/// The GEMM kernels (every ISA, and OpenBLAS) on shapes that hit every edge: padding of x to nb·p, truncation
/// to m < nb·q, a block that reads only padding, rows not a multiple of MR, column and k tails, batch × rows,
/// k split into slices and several work items (tiny caches), compared with plain Swift loops.
@Suite("GEMM kernels: every ISA and OpenBLAS vs reference loops", .serialized)
struct GemmKernelTests {
    /// One matmul per case: (rows per item, input features n, output features m, blocks nb).
    static let cases: [(rows: Int, n: Int, m: Int, nb: Int)] = [
        (11, 5, 7, 4),       // p = 2, q = 2: block 3 reads x[6…7] (all padding) and writes column 6 only
        (37, 300, 70, 1),    // dense: 70 = 2·32 + 6 column tail, 37 rows = 4·8 + 5 row tail, k 300
        (64, 192, 384, 4),   // M2-like blocks of 48 → 96: full tiles only
        (9, 33, 45, 3),      // p = 11, q = 15 (< every NR), 9 rows
    ]
    static let batch = 3

    static let tinyCaches = CacheSizes(l1d: 4 << 10, l2: 16 << 10)

    struct Variant: CustomStringConvertible {
        var isa: CPUISA
        var gemm: GemmBackend
        var description: String { gemm == .openblas ? "openblas" : isa.rawValue }
    }

    static let hasOpenBLAS = FileManager.default.fileExists(atPath: "/usr/include/x86_64-linux-gnu/cblas.h")
        || FileManager.default.fileExists(atPath: "/usr/include/cblas.h")

    /// Variants this machine can run (the AVX-512, AVX2 and NEON kernels need the instructions), portable C first.
    static var variants: [Variant] {
        let isas = CPUISA.allCases.filter(\.runsHere).reversed()
        return isas.map { Variant(isa: $0, gemm: .m2c) } + (hasOpenBLAS ? [Variant(isa: .generic, gemm: .openblas)] : [])
    }

    static func model() throws -> TestModels.Model {
        var b = GraphBuilder(name: "gemm_cases")
        let tensors = InMemoryTensors(origin: "test")
        var inputs: [String: [Double]] = [:]
        var xs: [ValueID] = [], ws: [ValueID] = []
        for (i, c) in cases.enumerated() {
            let p = (c.n + c.nb - 1) / c.nb, q = (c.m + c.nb - 1) / c.nb
            let shape = c.nb == 1 ? [q, p] : [c.nb, q, p]
            tensors.insert("w\(i)", shape: shape, values: TestModels.values(shape.reduce(1, *), seed: 40 + i))
            ws.append(try b.weight("w\(i)", shape: shape))
            xs.append(try b.input("x\(i)", type: .f32([c.rows, c.n], batched: true)))
            inputs["x\(i)"] = TestModels.values(batch * c.rows * c.n, seed: 80 + i).map(Double.init)
        }
        for (i, c) in cases.enumerated() {
            b.output("y\(i)", try b.add(.blockDiagMatmul(outFeatures: c.m), [xs[i], ws[i]]))
        }
        return TestModels.Model(graph: b.graph, weights: WeightStore([tensors]), inputs: inputs, batch: batch)
    }

    /// y[r, b·q + j] = Σ_s W[b, j, s] · x[r, b·p + s], straight from the definition.
    static func expected(_ model: TestModels.Model) throws -> [String: [Double]] {
        var result: [String: [Double]] = [:]
        for (i, c) in cases.enumerated() {
            let p = (c.n + c.nb - 1) / c.nb, q = (c.m + c.nb - 1) / c.nb
            let w = try model.weights.floats("w\(i)").map(Double.init)
            let x = try #require(model.inputs["x\(i)"])
            var y = [Double](repeating: 0, count: batch * c.rows * c.m)
            for r in 0..<(batch * c.rows) {
                for o in 0..<c.m {
                    let (blk, j) = o.quotientAndRemainder(dividingBy: q)
                    var sum = 0.0
                    for s in 0..<p where blk * p + s < c.n { sum += w[(blk * q + j) * p + s] * x[r * c.n + blk * p + s] }
                    y[r * c.m + o] = sum
                }
            }
            result["y\(i)"] = y
        }
        return result
    }

    func check(_ variant: Variant, caches: CacheSizes, compiler: String, cflags: String = CHarness.strict,
               openMP: Bool = true) throws {
        let model = try Self.model()
        let options = CPUEmitOptions(isa: variant.isa, gemm: variant.gemm, caches: caches)
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "gemm_cases", options: options)
        let source = try #require(library.text("gemm_cases.c"))
        #expect(source.contains(variant.gemm == .openblas ? "cblas_sgemm(" : "m2_gemm_tile_\(variant.isa.rawValue)("))
        let harness = try CHarness(library, compiler: compiler, cflags: cflags, openMP: openMP)
        defer { harness.remove() }
        let (status, output) = try harness.run(try harness.driver(TestModels.driver(model, library: "gemm_cases")),
                                               [harness.weightsPath])
        #expect(status == 0 && !output.contains("error"), "\(variant) with \(compiler): \(output)")
        for (name, err) in maxRelativeError(parseOutputs(output), try Self.expected(model)) {
            #expect(err <= 1e-5, "\(variant), \(compiler), L2 \(caches.l2): \(name) differs by \(err)")
        }
    }

    @Test("every variant, gcc with OpenMP, machine and tiny caches")
    func gcc() throws {
        for v in Self.variants {
            try check(v, caches: .defaults, compiler: "gcc")
            try check(v, caches: Self.tinyCaches, compiler: "gcc")
        }
    }

    @Test("every variant, clang with OpenMP, machine and tiny caches", .enabled(if: CHarness.hasCompiler("clang")))
    func clang() throws {
        for v in Self.variants {
            try check(v, caches: .defaults, compiler: "clang")
            try check(v, caches: Self.tinyCaches, compiler: "clang")
        }
    }

    @Test("every variant under ASan + UBSan (gcc, no OpenMP, tiny caches)")
    func sanitized() throws {
        for v in Self.variants { try check(v, caches: Self.tinyCaches, compiler: "gcc", cflags: CHarness.sanitized, openMP: false) }
    }

    @Test("the reference loops are not vacuous: a wrong weight fails the comparison")
    func detectsAWrongResult() throws {
        var model = try Self.model()
        let good = try Self.expected(model)
        let tensors = InMemoryTensors(origin: "perturbed")
        for i in Self.cases.indices {
            let shape = try #require(model.weights.shape(of: "w\(i)"))
            var w = try model.weights.floats("w\(i)")
            if i == 1 { w[5] += 0.5 }
            tensors.insert("w\(i)", shape: shape, values: w)
        }
        model.weights = WeightStore([tensors])
        let errors = maxRelativeError(try Self.expected(model), good)
        #expect(errors.contains { $0.0 == "y1" && $0.1 > 1e-3 })
    }
}
