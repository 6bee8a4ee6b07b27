import Testing
import M2Weights

/// Reading the real tiny M2-BERT checkpoint written by PyTorch's safetensors.
@Suite struct GoldenFixtureTests {
    let file: SafetensorsFile

    init() throws {
        file = try SafetensorsFile(path: TestFiles.golden("tiny.weights.safetensors"))
    }

    @Test func headerDescribesTheWholeStateDict() throws {
        #expect(file.keys.count == 130)
        #expect(file.keys.first == "bert.embeddings.LayerNorm.bias")
        // The writer put position_ids after the sorted float tensors; file order must be kept.
        #expect(file.keys.last == "bert.embeddings.position_ids")
        #expect(file.metadata["format"] == "pt")
        #expect(file.metadata["buffers"]?.contains("modulation.deltas") == true)

        let info = try #require(file.info("bert.encoder.layer.0.mlp.gated_layers.weight"))
        #expect(info.dtype == .f32)
        #expect(info.shape == [4, 128, 16])
        #expect(info.byteCount == 4 * 128 * 16 * 4)
        #expect(file.shape(of: "bert.encoder.layer.1.attention.short_filter.weight") == [192, 1, 3])
        #expect(file.info("no.such.key") == nil)
    }

    @Test func tiedDecoderEqualsWordEmbeddings() throws {
        let words = try file.floats("bert.embeddings.word_embeddings.weight")
        let decoder = try file.floats("cls.predictions.decoder.weight")
        #expect(words.count == 1000 * 64)
        #expect(Array(words[0..<64]) == Array(decoder[0..<64]))
        #expect(words == decoder)
        // Real data, not zeros.
        #expect(words[0..<64].contains { $0 != 0 })
    }

    @Test func sixFreqKeysOfOneFilterAreEqual() throws {
        let prefix = "bert.encoder.layer.0.attention.filter_fn."
        let keys = ["implicit_filter", "implicit_filter_rev"].flatMap { f in [1, 3, 5].map { "\(prefix)\(f).\($0).freq" } }
        let values = try keys.map { try file.floats($0) }
        #expect(values[0].count == 16)
        for v in values.dropFirst() { #expect(v == values[0]) }
        // A different filter has its own freq.
        #expect(try file.floats("bert.encoder.layer.0.attention.filter_fn2.implicit_filter.1.freq") != values[0])
    }

    @Test func positionIdsAreI32Range() throws {
        #expect(file.dtype(of: "bert.embeddings.position_ids") == .i32)
        #expect(try file.int32s("bert.embeddings.position_ids") == Array(0..<64))
        #expect(try file.floats("bert.embeddings.position_ids") == (0..<64).map(Float.init))
    }

    @Test func int32sRefusesFloatTensors() {
        #expect(throws: WeightsError.unsupportedDType(key: "cls.predictions.decoder.bias", dtype: "F32", expected: "I32 or I64")) {
            try file.int32s("cls.predictions.decoder.bias")
        }
        #expect(throws: WeightsError.missingTensor(key: "nope", expectedShape: nil)) { try file.floats("nope") }
    }

    @Test func ioFileHoldsInputIds() throws {
        let io = try SafetensorsFile(path: TestFiles.golden("tiny.io.safetensors"))
        let ids = try io.int32s("input_ids")
        #expect(io.shape(of: "input_ids") == [2, 64])
        #expect(ids.count == 128)
        #expect(ids.allSatisfy { $0 >= 0 && $0 < 1000 })
        #expect(io.shape(of: "last_hidden_state") == [2, 64, 64])
    }

    @Test func weightStoreMergesWeightsAndPooler() throws {
        let store = WeightStore([file, try SafetensorsFile(path: TestFiles.golden("tiny.pooler.safetensors"))])
        #expect(store.contains("bert.pooler.dense.weight"))
        #expect(store.shape(of: "bert.pooler.dense.weight") == [64, 64])
        #expect(store.source(of: "bert.pooler.dense.bias")?.origin.hasSuffix("tiny.pooler.safetensors") == true)
        #expect(try store.doubles("bert.embeddings.LayerNorm.weight").count == 64)
    }
}
