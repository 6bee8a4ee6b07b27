import Foundation
import M2Frontend
import M2IR
import Testing

/// Reads a safetensors header (8-byte little-endian length, then JSON) into key → shape.
/// Test-only: the real reader lives in M2Weights.
func safetensorsShapes(_ path: String) throws -> [String: [Int]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try #require(data.count >= 8)
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    try #require(data.count >= 8 + length)
    let json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + length)) as? [String: Any]
    var shapes: [String: [Int]] = [:]
    for (key, entry) in try #require(json) where key != "__metadata__" {
        let info = try #require(entry as? [String: Any])
        shapes[key] = try #require(info["shape"] as? [Int])
    }
    return shapes
}

func goldenPath(_ name: String) -> String {
    repositoryRoot.appendingPathComponent("Tests/Fixtures/golden/\(name).weights.safetensors").path
}

/// Keys the checkpoint holds that the graph deliberately does not read: the position-id buffer
/// (positions are implicit), the tied decoder weight (the head reads the word embeddings), and
/// the five aliases of each filter's shared `implicit_filter.1.freq`.
func isDeliberatelyUnused(_ key: String) -> Bool {
    key.hasSuffix("position_ids") || key == "cls.predictions.decoder.weight"
        || [".implicit_filter.3.freq", ".implicit_filter.5.freq", ".implicit_filter_rev.1.freq",
            ".implicit_filter_rev.3.freq", ".implicit_filter_rev.5.freq"].contains { key.hasSuffix($0) }
}

let plainModelSource = """
model plain(seq_len: int = 128, hidden: int = 64, intermediate: int = 256, layers: int = 2, vocab: int = 500) {
  input input_ids: i32[seq_len]
  input token_type_ids: i32[seq_len] = 0
  let x = BertEmbeddings(input_ids, token_type_ids, vocab: vocab, hidden: hidden) @ "bert.embeddings"
  for i in 0..<layers {
    x = M2BertLayer(x, intermediate: intermediate, nblocks: 2, order: 16, emb_dim: 5, l_max: seq_len,
                    bidirectional: false, residual_conv: false, glu: false) @ "bert.encoder.layer.{i}"
  }
  output last_hidden_state = x
  output mlm_logits = MLMHead(x, vocab: vocab) @ "cls.predictions"
}
"""

@Suite struct GoldenWeightKeyTests {
    /// Every key the graph reads exists in the checkpoint with the same shape, and every
    /// checkpoint key is read unless it is a buffer or alias listed in `isDeliberatelyUnused`.
    func checkKeys(_ graph: Graph, fixture: String) throws {
        let file = try safetensorsShapes(goldenPath(fixture))
        let used = graph.weightKeys
        for (key, shape) in used.sorted(by: { $0.key < $1.key }) {
            #expect(file[key] == shape, "graph weight \(key) \(shape) vs checkpoint \(file[key].map { "\($0)" } ?? "missing")")
        }
        let unread = file.keys.filter { used[$0] == nil && !isDeliberatelyUnused($0) }.sorted()
        #expect(unread.isEmpty, "checkpoint keys the graph never reads: \(unread)")
    }

    @Test func tinyFixtureKeysMatchBaseExampleWithOverrides() throws {
        var options = ElaborationOptions()
        options.paramOverrides = ["seq_len": .int(64), "hidden": .int(64), "intermediate": .int(256), "layers": .int(2),
                                  "vocab": .int(1000), "filter_order": .int(16)]
        options.outputs = ["last_hidden_state", "mlm_logits"]
        let model = try Frontend.elaborate(file: examplePath("m2-bert-base.m2"), options: options)
        try checkKeys(model.graph, fixture: "tiny")
        #expect(model.graph.outputType("mlm_logits") == .f32([64, 1000], batched: true))
    }

    @Test func plainFixtureKeysMatchCausalPlainMLPModel() throws {
        let model = try #require(elaborate(plainModelSource, file: "plain.m2"))
        try checkKeys(model.graph, fixture: "plain")
        // Causal: every long conv has only a forward kernel and the D skip.
        let convs = model.graph.ops.filter { if case .longConv = $0.kind { return true } else { return false } }
        #expect(convs.count == 2)
        #expect(convs.allSatisfy { $0.kind == .longConv(bidirectional: false, hasSkip: true) })
    }
}
