import Foundation
import M2IR
import M2TargetCPU
import M2Weights
import Testing

/// The generated GELU (m2_gelu, used by `gelu`, `glu` and GEMM epilogues) against the Float64 exact GELU on a dense
/// grid over [−16, 16], tails included: within a few float32 ulps relative, and exactly tiny below −13.
@Suite("GELU kernel accuracy vs Float64 erf")
struct GeluAccuracyTests {
    static let grid: [Float] = stride(from: -16.0, through: 16.0, by: 1.0 / 512).map { Float($0) }
    /// Relative error allowed (≈ 4 float32 ulps; libm erff-based 0.5·x·(1 + erf(x/√2)) loses all relative accuracy
    /// in the negative tail, where 1 + erf cancels), and the absolute floor where the exact value is below 1e-37.
    static let relativeTolerance = 5e-7, absoluteFloor = 1e-37

    static func exactGelu(_ x: Float) -> Double { 0.5 * Double(x) * erfc(-Double(x) / 2.0.squareRoot()) }

    /// gelu(x) three ways: the unary op, glu of [x | 1], and a 1×1 identity matmul with a gelu epilogue.
    static func model() throws -> TestModels.Model {
        let n = grid.count
        var b = GraphBuilder(name: "gelu_grid")
        let tensors = InMemoryTensors(origin: "test")
        tensors.insert("one", shape: [1, 1], values: [1])
        let one = try b.weight("one", shape: [1, 1])
        let ones = try b.constant([Double](repeating: 1, count: n), shape: [n])
        let x = try b.input("x", type: .f32([n], batched: true))
        b.output("unary", try b.add(.unary(.gelu), [x]))
        let gateAndOnes = try b.add(.concat(axis: 0), [x, ones])
        b.output("glu", try b.add(.glu(.gelu), [gateAndOnes]))
        let column = try b.add(.reshape, [x], reshapeTo: [n, 1])
        let fused = try b.add(.fusedMatmul(outFeatures: 1, epilogue: [.unary(.gelu)]), [column, one])
        b.output("epilogue", try b.add(.reshape, [fused], reshapeTo: [n]))
        return TestModels.Model(graph: b.graph, weights: WeightStore([tensors]),
                                inputs: ["x": grid.map(Double.init)], batch: 1)
    }

    @Test("unary gelu, glu and a GEMM epilogue, gcc -O3 -march=native and clang")
    func denseGrid() throws {
        for (compiler, flags) in [("gcc", "-O3 -march=native -Wall -Wextra -Werror -std=c11"), ("clang", CHarness.strict)]
        where CHarness.hasCompiler(compiler) {
            try Self.checkGrid(compiler: compiler, flags: flags)
        }
    }

    /// Builds the three GELUs with `compiler` (run under `runner`: an emulator for a cross compiler) and checks
    /// every grid point against the exact value.
    static func checkGrid(compiler: String, flags: String, options: CPUEmitOptions = CPUEmitOptions(),
                          runner: [String] = []) throws {
        let model = try Self.model()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "gelu_grid", options: options)
        let harness = try CHarness(library, compiler: compiler, cflags: flags, openMP: false, runner: runner)
        defer { harness.remove() }
        let (status, output) = try harness.run(try harness.driver(TestModels.driver(model, library: "gelu_grid")),
                                               [harness.weightsPath])
        #expect(status == 0, "\(output)")
        let outputs = parseOutputs(output)
        for name in ["unary", "glu", "epilogue"] {
            let values = try #require(outputs[name], "\(compiler): no output \(name)")
            try #require(values.count == Self.grid.count)
            var worst = 0.0, worstAt: Float = 0
            for (x, y) in zip(Self.grid, values) {
                let exact = Self.exactGelu(x)
                let error = abs(y - exact)
                let excess = abs(exact) < Self.absoluteFloor ? error / Self.absoluteFloor : error / (Self.relativeTolerance * abs(exact))
                if excess > worst { (worst, worstAt) = (excess, x) }
            }
            #expect(worst <= 1, "\(compiler) \(name): error \(worst)× the tolerance at x = \(worstAt)")
        }
    }
}
