import M2Frontend
import M2IR
import Testing

@Suite struct ExampleTests {
    /// Unique weight keys of M2-BERT-base: the checkpoint has 720 keys (§7 of the semantics doc),
    /// of which the graph reads 720 − 1 (position_ids buffer) − 1 (decoder weight, tied to the word
    /// embeddings) − 12 layers × 2 filters × 5 (aliases of the shared freq) = 598, plus the
    /// separately stored pooler's dense.weight and dense.bias = 600.
    @Test func bertBaseElaborates() throws {
        let model = try Frontend.elaborate(file: examplePath("m2-bert-base.m2"), options: ElaborationOptions())
        let g = model.graph
        #expect(model.modelName == "m2_bert_base")
        #expect(g.outputs.map(\.name) == ["last_hidden_state", "pooled_output", "pooled_output_mean", "mlm_logits"])
        #expect(g.outputType("last_hidden_state") == .f32([128, 768], batched: true))
        #expect(g.outputType("pooled_output") == .f32([768], batched: true))
        #expect(g.outputType("pooled_output_mean") == .f32([768], batched: true))
        #expect(g.outputType("mlm_logits") == .f32([128, 30528], batched: true))
        #expect(g.weightKeys.count == 720 - 1 - 1 - 12 * 2 * 5 + 2)
        #expect(g.weightKeys["bert.encoder.layer.11.mlp.wo.weight"] == [4, 192, 768])
        #expect(g.weightKeys["bert.encoder.layer.0.attention.short_filter.weight"] == [2304, 1, 3])
        #expect(g.attributes["seq_len"] == .int(128))
        #expect(g.attributes["param.filter_order"] == .int(128))
        #expect(g.attributes["param.eps"] == .double(1e-12))
        #expect(model.params.map(\.name).first == "seq_len")
    }

    @Test func inputsCarryDefaults() throws {
        let g = try Frontend.elaborate(file: examplePath("m2-bert-base.m2"), options: ElaborationOptions()).graph
        let inputs = Dictionary(uniqueKeysWithValues: g.inputs.map { op -> (String, Op) in
            guard case .input(let name) = op.kind else { return ("", op) }
            return (name, op)
        })
        #expect(inputs["input_ids"]?.type == .i32([128], batched: true))
        #expect(inputs["input_ids"]?.annotations["default"] == nil)
        #expect(inputs["token_type_ids"]?.annotations["default"] == .int(0))
        #expect(inputs["attention_mask"]?.annotations["default"] == .int(1))
    }

    @Test func seqLenOverrideChangesShapes() throws {
        var options = ElaborationOptions()
        options.paramOverrides = ["seq_len": ParamValue.parse("512")]
        let model = try Frontend.elaborate(file: examplePath("m2-bert-base.m2"), options: options)
        #expect(model.graph.outputType("last_hidden_state") == .f32([512, 768], batched: true))
        #expect(model.graph.weightKeys["bert.embeddings.position_embeddings.weight"] == [512, 768])
        #expect(model.graph.weightKeys["bert.encoder.layer.3.attention.filter_fn2.pos_emb.z"] == [1, 512, 5])
        #expect(model.params.first { $0.name == "l_max" }?.value == .int(512))
        #expect(model.graph.attributes["seq_len"] == .int(512))
    }

    @Test func retrievalHasPoolerAndSequenceOutputOnly() throws {
        let g = try Frontend.elaborate(file: examplePath("m2-bert-retrieval-2k.m2"), options: ElaborationOptions()).graph
        #expect(g.outputs.map(\.name) == ["pooled_output", "last_hidden_state"])
        #expect(g.outputType("pooled_output") == .f32([768], batched: true))
        #expect(g.outputType("last_hidden_state") == .f32([2048, 768], batched: true))
        #expect(!g.weightKeys.keys.contains { $0.hasPrefix("cls.") })
        #expect(g.weightKeys["bert.encoder.layer.0.attention.filter_fn.pos_emb.z"] == [1, 2048, 5])
    }

    @Test func largeHasWiderLayers() throws {
        let g = try Frontend.elaborate(file: examplePath("m2-bert-large.m2"), options: ElaborationOptions()).graph
        #expect(g.outputType("mlm_logits") == .f32([128, 30528], batched: true))
        #expect(g.weightKeys["bert.encoder.layer.0.attention.in_linear.weight"] == [5376, 1792])
        #expect(g.weightKeys["bert.encoder.layer.0.mlp.gated_layers.weight"] == [4, 3584, 448])
    }

    @Test func monarchMixerMLPElaborates() throws {
        var options = ElaborationOptions()
        options.keepProbes = true
        let g = try Frontend.elaborate(file: examplePath("monarch-mixer-mlp.m2"), options: options).graph
        #expect(g.outputType("logits") == .f32([10], batched: true))
        #expect(g.outputType("sequence") == .f32([256, 128], batched: true))
        #expect(g.weightKeys["layers.0.token_mix.monarch.blocks1"] == [16, 16, 16])
        #expect(g.weightKeys["layers.3.conv.kernel"] == [128, 256])
        let convs = g.ops.filter { if case .longConv = $0.kind { return true } else { return false } }
        #expect(convs.count == 4 && convs.allSatisfy { $0.kind == .longConv(bidirectional: false, hasSkip: true) })
        #expect(g.outputs.filter(\.isProbe).map(\.name) == ["out", "out#1", "out#2", "out#3"])
    }
}
