import Foundation
import Testing
@testable import M2Import

@Suite("m2c import: checkpoint config.json → .m2")
struct ImportTests {
    func config(_ name: String) throws -> CheckpointConfig {
        let url = try #require(Fixtures.golden(name, "config.json"))
        return try CheckpointConfig.parse(try Data(contentsOf: url), path: url.path)
    }

    @Test func readsTheGoldenConfigs() throws {
        let tiny = try config("tiny")
        #expect(tiny.hidden == 64 && tiny.intermediate == 256 && tiny.layers == 2)
        #expect(tiny.seqLen == 64 && tiny.lMax == 64 && tiny.vocabSize == 1000)
        #expect(tiny.nblocks == 4 && tiny.filterOrder == 16 && tiny.embDim == 5)
        #expect(tiny.bidirectional && tiny.residualLongConv && tiny.glu && tiny.monarchMLP && tiny.positions)

        let plain = try config("plain")
        #expect(!plain.bidirectional && !plain.residualLongConv && !plain.glu && !plain.positions)
        #expect(plain.nblocks == 2 && plain.vocabSize == 500 && plain.seqLen == 128)

        let small = try config("small")
        #expect(small.embDim == 3 && small.filterOrder == 32 && small.hidden == 128)
    }

    @Test func writesParametersAndFlagsIntoTheModel() throws {
        let plain = try config("plain")
        let src = ModelWriter.source(for: plain, configPath: "plain.config.json")
        #expect(src.contains("model plain("))
        #expect(src.contains("max_positions: int = 0"), "no learned positions → max_positions 0")
        #expect(src.contains("bidirectional: false") && src.contains("residual_conv: false"))
        #expect(src.contains("glu: false") && src.contains("monarch: true"))
        #expect(src.contains("nblocks: int = 2") && src.contains("vocab: int = 500"))
        #expect(src.contains("output pooled_output = ClsPooler(x)"))
    }

    @Test func releasedVocabularyIsPaddedToTheTableSize() throws {
        var c = try config("tiny")
        c.vocabSize = 30522
        #expect(ModelWriter.tableVocab(c) == 30528)
        #expect(ModelWriter.source(for: c, configPath: "x").contains("vocab: int = 30528"))
    }

    @Test func poolAllSelectsTheMeanPooler() throws {
        var c = try config("tiny")
        c.poolAll = true
        #expect(ModelWriter.source(for: c, configPath: "x").contains("output pooled_output = MeanPooler(x, attention_mask)"))
    }

    @Test func identifiersAreSanitised() {
        #expect(ModelWriter.identifier("m2-bert-80M") == "m2_bert_80M")
        #expect(ModelWriter.identifier("2k") == "m_2k")
        #expect(ModelWriter.identifier("") == "model")
        #expect(ModelWriter.literal(1) == "1.0" && ModelWriter.literal(1e-12) == "1e-12")
    }

    @Test(arguments: [
        (#"[1, 2]"#, "expected a JSON object"),
        (#"{"hidden_size": "768"}"#, "field 'hidden_size' must be an integer, got the string \"768\""),
        (#"{"hidden_size": 76.5}"#, "field 'hidden_size' must be an integer"),
        (#"{"bidirectional": 1}"#, "field 'bidirectional' must be true or false"),
        (#"{"monarch_mixer_sequence_mixing": false}"#, "attention BERT"),
        (#"{"hidden_act": "relu"}"#, "only \"gelu\""),
        (#"{"hyena_emb_dim": 4}"#, "'hyena_emb_dim' must be odd"),
        (#"{"max_position_embeddings": 128, "long_conv_l_max": 64}"#, "exceeds 'long_conv_l_max'"),
        (#"{"num_hidden_layers": 0}"#, "'num_hidden_layers' must be at least 1"),
        (#"{not json"#, "not valid JSON"),
    ])
    func badConfigsGiveAClearError(json: String, expected: String) {
        do {
            _ = try CheckpointConfig.parse(Data(json.utf8), path: "bad.json")
            Issue.record("expected an error for \(json)")
        } catch {
            #expect(error.description.hasPrefix("bad.json: error: "))
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
