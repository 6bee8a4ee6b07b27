import Foundation
import M2IR
import M2Reference
import Testing

/// The whole model run batched from token ids, every golden output and intermediate compared.
@Suite("Golden fixtures, whole model")
struct GoldenModelTests {
    func runAndCompare(_ fixture: GoldenFixture) throws {
        var g = M2TestGraph(fixture, name: fixture.name)
        try g.fullModel()
        let interpreter = ReferenceInterpreter(graph: g.graph, weights: fixture.store)
        let batch = fixture.config.batch
        let inputs = try ["input_ids", "token_type_ids", "attention_mask"].reduce(into: [String: [Int32]]()) {
            $0[$1] = try fixture.io.int32s($1)
        }
        let start = Date()
        let out = try interpreter.run(inputs: inputs, batch: batch)
        print("[golden \(fixture.name)] whole model, batch \(batch): \(String(format: "%.2f", Date().timeIntervalSince(start))) s")

        let outputs = g.graph.outputs.map(\.name)
        let expected = Set(fixture.io.keys).subtracting(inputs.keys).filter { !$0.contains("_k_") }
        #expect(expected.isSubset(of: Set(outputs)), "not built: \(expected.subtracting(outputs).sorted())")
        for key in expected.sorted() { try fixture.expectMatches(out[key], key) }
    }

    @Test("tiny, small and plain match every golden output", arguments: ["tiny", "small", "plain"])
    func wholeModel(_ name: String) throws {
        try runAndCompare(try GoldenFixture(name))
    }

    /// base1 has M2-BERT-base layer shapes (H 768, L 512). Its files are not in the repository; they are read
    /// from ../shared/golden beside the clone (CI has it) or from $M2_GOLDEN_DIR, and the test says so when absent.
    @Test("base1 (M2-BERT-base layer shapes) matches")
    func base1() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path + "/shared/golden"
        let directory = ProcessInfo.processInfo.environment["M2_GOLDEN_DIR"] ?? shared
        guard FileManager.default.fileExists(atPath: directory + "/base1.io.safetensors") else {
            print("base1: SKIPPED — \(directory)/base1.* not found (set M2_GOLDEN_DIR or put ../shared beside the clone)")
            return
        }
        try runAndCompare(try GoldenFixture("base1", directory: directory))
    }
}
