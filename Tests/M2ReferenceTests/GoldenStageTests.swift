import M2IR
import M2Reference
import Testing

/// Each stage of layer 0 in isolation: golden inputs in (as unbatched "weights" with the batch as a
/// static leading dim), golden outputs compared, so a failure points at one stage.
@Suite("Golden fixtures, stage by stage")
struct GoldenStageTests {
    static let fixtures = ["tiny", "small", "plain"]

    /// Runs a graph without run-time inputs over the fixture's weights and golden io tensors.
    func run(_ g: M2TestGraph) throws -> [String: Tensor64] {
        try ReferenceInterpreter(graph: g.graph, weights: g.shapes).run(inputs: [:], batch: 1)
    }

    @Test("implicit filter kernels (filter MLPs + modulation) match k_fwd / k_rev", arguments: fixtures)
    func filterKernels(_ name: String) throws {
        let fixture = try GoldenFixture(name)
        var g = M2TestGraph(fixture, name: "filters")
        let attention = "bert.encoder.layer.0.attention"
        var expected: [String] = []
        for (filter, golden) in [("filter_fn", "layer0_filter"), ("filter_fn2", "layer0_filter2")]
        where filter == "filter_fn" || fixture.config.residualLongConv {
            g.builder.output(golden + "_k_fwd", try g.filterKernel("\(attention).\(filter)", reverse: false))
            expected.append(golden + "_k_fwd")
            if fixture.config.bidirectional {
                g.builder.output(golden + "_k_rev", try g.filterKernel("\(attention).\(filter)", reverse: true))
                expected.append(golden + "_k_rev")
            }
        }
        let out = try run(g)
        for key in expected { try fixture.expectMatches(out[key], key) }
        #expect(expected.count == (name == "plain" ? 1 : 4))
    }

    @Test("long conv of v⊙x1 with the golden kernels and D skip matches layer0_long_conv_y", arguments: fixtures)
    func longConv(_ name: String) throws {
        let fixture = try GoldenFixture(name)
        var g = M2TestGraph(fixture, name: "long_conv")
        let uc = try g.weight("layer0_short_conv_out")
        let v = try g.op(.binary(.mul), try g.channels(uc, 2), try g.channels(uc, 0))
        let kernels = (fwd: try g.weight("layer0_filter_k_fwd"),
                       rev: fixture.config.bidirectional ? try g.weight("layer0_filter_k_rev") : nil)
        g.builder.output("y", try g.longConv(v, filter: "bert.encoder.layer.0.attention.filter_fn", kernels: kernels))
        try fixture.expectMatches(try run(g)["y"], "layer0_long_conv_y")
    }

    @Test("residual long conv of the layer input matches layer0_residual_conv_yu", arguments: ["tiny", "small"])
    func residualLongConv(_ name: String) throws {
        let fixture = try GoldenFixture(name)
        var g = M2TestGraph(fixture, name: "residual_conv")
        let u = try g.transposeLast2(try g.weight("embeddings_out"))
        let kernels = (fwd: try g.weight("layer0_filter2_k_fwd"), rev: Optional(try g.weight("layer0_filter2_k_rev")))
        g.builder.output("yu", try g.longConv(u, filter: "bert.encoder.layer.0.attention.filter_fn2", kernels: kernels))
        try fixture.expectMatches(try run(g)["yu"], "layer0_residual_conv_yu")
    }

    @Test("in_linear + causal short conv matches layer0_short_conv_out", arguments: fixtures)
    func shortConv(_ name: String) throws {
        let fixture = try GoldenFixture(name)
        var g = M2TestGraph(fixture, name: "short_conv")
        g.builder.output("uc", try g.shortConvStage(try g.weight("embeddings_out"), layer: 0))
        try fixture.expectMatches(try run(g)["uc"], "layer0_short_conv_out")
    }

    @Test("whole mixer (filters computed from weights) matches layer0_mixer_out", arguments: fixtures)
    func mixer(_ name: String) throws {
        let fixture = try GoldenFixture(name)
        var g = M2TestGraph(fixture, name: "mixer")
        g.builder.output("out", try g.mixer(try g.weight("embeddings_out"), layer: 0, probePrefix: nil))
        try fixture.expectMatches(try run(g)["out"], "layer0_mixer_out")
    }

    @Test("MLP on the golden mixer output matches layer0_out", arguments: fixtures)
    func mlp(_ name: String) throws {
        let fixture = try GoldenFixture(name)
        var g = M2TestGraph(fixture, name: "mlp")
        g.builder.output("out", try g.mlp(try g.weight("layer0_mixer_out"), layer: 0))
        try fixture.expectMatches(try run(g)["out"], "layer0_out")
    }
}
