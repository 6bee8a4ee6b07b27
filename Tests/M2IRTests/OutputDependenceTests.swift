import M2IR
import Testing

@Suite("Graph.outputDependence: which outputs each value is computed for")
struct OutputDependenceTests {
    @Test("shared values feed every output below them, a value no output reads has no entry, probes can be left out")
    func dependence() throws {
        var b = GraphBuilder(name: "fanout")
        let x = try b.input("x", type: .f32([4], batched: true))
        let shared = try b.add(.unary(.exp), [x])
        let first = try b.add(.unary(.tanh), [shared])
        let second = try b.add(.unary(.abs), [shared])
        let probed = try b.add(.unary(.sqrt), [second])
        let unused = try b.add(.unary(.neg), [x])
        b.output("first", first)
        b.output("second", second)
        b.output("probed", probed, isProbe: true)
        let graph = b.graph

        let all = graph.outputDependence()
        #expect(all[x] == [0, 1, 2] && all[shared] == [0, 1, 2])
        #expect(all[first] == [0] && all[second] == [1, 2] && all[probed] == [2])
        #expect(all[unused] == nil)

        let outputsOnly = graph.outputDependence { !$0.isProbe }
        #expect(outputsOnly[second] == [1] && outputsOnly[shared] == [0, 1])
        #expect(outputsOnly[probed] == nil)
    }
}
