import Foundation
import M2IR
import M2Passes
import M2Reference
import M2Support
import M2Weights
import Testing

/// A golden fixture file from Tests/Fixtures/golden, read with the project's safetensors reader.
private func goldenFile(_ file: String) throws -> SafetensorsFile {
    try SafetensorsFile(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
        + "/Fixtures/golden/" + file)
}

@Suite("FoldConstants")
struct FoldConstantsTests {
    static let filter = "bert.encoder.layer.0.attention.filter_fn"

    /// The tiny fixture's forward implicit filter (semantics §3.5), built as the frontend would:
    /// z → 3 × (Linear, Sin(freq·x)) → Linear → · exp(−t·|deltas|) → transpose to (H, L).
    static func filterGraph(_ store: WeightStore, length l: Int) throws -> Graph {
        var b = GraphBuilder(name: "filter")
        func w(_ key: String) throws -> ValueID { try b.weight(Self.filter + key, shape: try #require(store.shape(of: Self.filter + key))) }
        let z = try w(".pos_emb.z")
        let (lMax, e) = (b.type(of: z).shape[1], b.type(of: z).shape[2])
        var x = try b.add(.slice(axis: 0, start: 0, end: l), [try b.add(.reshape, [z], reshapeTo: [lMax, e])],
                          location: SourceLocation(file: "filter.m2", line: 3, column: 5), name: "filter/z")
        for (linear, sin) in [(0, 1), (2, 3), (4, 5)] {
            let weight = try w(".implicit_filter.\(linear).weight")
            let y = try b.add(.blockDiagMatmul(outFeatures: b.type(of: weight).shape[0]), [x, weight])
            let biased = try b.add(.binary(.add), [y, try w(".implicit_filter.\(linear).bias")])
            let freq = try w(".implicit_filter.\(sin).freq")
            let f = try b.add(.reshape, [freq], reshapeTo: [b.type(of: freq).shape[1]])
            x = try b.add(.unary(.sin), [try b.add(.binary(.mul), [biased, f])])
        }
        let w6 = try w(".implicit_filter.6.weight")
        let h = b.type(of: w6).shape[0]
        let raw = try b.add(.blockDiagMatmul(outFeatures: h), [x, w6])
        let t = try b.add(.slice(axis: 0, start: 0, end: l), [try b.add(.reshape, [try w(".pos_emb.t")], reshapeTo: [lMax, 1])])
        let deltas = try b.add(.unary(.abs), [try b.add(.reshape, [try w(".modulation.deltas")], reshapeTo: [1, h])])
        let decay = try b.add(.unary(.exp), [try b.add(.unary(.neg), [try b.add(.binary(.mul), [t, deltas])])])
        let k = try b.add(.transpose(perm: [1, 0]), [try b.add(.binary(.mul), [raw, decay])], name: "filter/k_fwd")
        b.output("k_fwd", k, isProbe: true)
        return b.graph
    }

    @Test("folding the implicit filter gives the unfolded evaluation and the golden k_fwd")
    func foldsTheImplicitFilter() throws {
        let store = WeightStore([try goldenFile("tiny.weights.safetensors")])
        let graph = try Self.filterGraph(store, length: 64)
        let unfolded = try #require(try ReferenceInterpreter(graph: graph, weights: store).run(inputs: [:], batch: 1)["k_fwd"])

        var folded = graph
        var context = PassContext(weights: store)
        try FoldConstants().run(&folded, &context)

        // Every non-leaf op became a constant in place: same result value, type, name and location.
        #expect(folded.ops.count == graph.ops.count)
        for (before, after) in zip(graph.ops, folded.ops) {
            #expect(after.result == before.result && after.type == before.type)
            #expect(after.name == before.name && after.location == before.location)
            if !before.kind.isLeaf {
                guard case .constant = after.kind else { Issue.record("\(before.kind.mnemonic) was not folded"); continue }
                #expect(after.annotations["folded"] == .bool(true))
            }
        }
        let output = try #require(folded.outputs.first { $0.name == "k_fwd" })
        let k = try #require(folded.ops.first { $0.result == output.value })
        guard case .constant(let data) = k.kind else { Issue.record("k_fwd is not a constant"); return }
        #expect(k.type == .f32([64, 64]))
        #expect(data.values == unfolded.values)

        let golden = try goldenFile("tiny.io.safetensors").floats("layer0_filter_k_fwd").map(Double.init)
        let m = ErrorMetrics.compare(data.values, golden)
        print("[fold-constants tiny] k_fwd vs golden: maxAbs \(m.maxAbs) relL2 \(m.relL2) maxAbs/std \(m.maxAbsOverStd)")
        #expect(m.passes(tolerance: 2e-5), "\(m)")
    }

    /// x (batched input, cast) + (c1 · 2), and w · 3 with a weight.
    func mixedGraph() throws -> (Graph, run: ValueID, constant: ValueID, weighted: ValueID) {
        var b = GraphBuilder(name: "mixed")
        let x = try b.add(.cast(.f32), [try b.input("ids", type: .i32([2], batched: true))])
        let doubled = try b.add(.scale(2), [try b.constant([1, 2], shape: [2])])
        let sum = try b.add(.binary(.add), [x, doubled])
        let weighted = try b.add(.scale(3), [try b.weight("w", shape: [2])])
        b.output("sum", sum)
        b.output("weighted", weighted)
        return (b.graph, sum, doubled, weighted)
    }

    func kind(of v: ValueID, in g: Graph) -> OpKind? { g.ops.first { $0.result == v }?.kind }

    @Test("run-time values stay; weights fold only when the context has a weight store")
    func leavesRunTimeOpsAlone() throws {
        let (graph, sum, doubled, weighted) = try mixedGraph()
        var withoutWeights = graph
        var context = PassContext()
        try FoldConstants().run(&withoutWeights, &context)
        #expect(kind(of: doubled, in: withoutWeights) == .constant(ConstantData([2, 4])))
        #expect(kind(of: sum, in: withoutWeights) == .binary(.add))
        #expect(kind(of: weighted, in: withoutWeights) == .scale(3))

        let weights = InMemoryTensors(origin: "test")
        weights.insert("w", shape: [2], values: [0.5, -1])
        var withWeights = graph
        var withStore = PassContext(weights: WeightStore([weights]))
        try FoldConstants().run(&withWeights, &withStore)
        #expect(kind(of: weighted, in: withWeights) == .constant(ConstantData([1.5, -3])))
        #expect(kind(of: sum, in: withWeights) == .binary(.add))

        // The folded graph still computes the same outputs.
        let inputs: [String: [Int32]] = ["ids": [1, 2, 3, 4]]
        let before = try ReferenceInterpreter(graph: graph, weights: WeightStore([weights])).run(inputs: inputs, batch: 2)
        let after = try ReferenceInterpreter(graph: withWeights, weights: nil).run(inputs: inputs, batch: 2)
        #expect(before == after)
        #expect(after["sum"]?.values == [3, 6, 5, 8])
    }

    @Test("a missing weight is an error naming its key")
    func missingWeightIsNamed() throws {
        var (graph, _, _, _) = try mixedGraph()
        var context = PassContext(weights: WeightStore())
        #expect {
            try FoldConstants().run(&graph, &context)
        } throws: { error in
            "\(error)".contains("'w'")
        }
        #expect(FoldConstants().name == "fold-constants")
        #expect(!FoldConstants().summary.contains("\n"))
    }
}
