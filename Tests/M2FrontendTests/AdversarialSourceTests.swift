import Foundation
import M2Frontend
import M2Support
import Testing

/// Programs that ask the elaborator for unbounded work end in one clear error within bounded time (seconds in
/// a debug build; the 300 s bounds leave room for ASan builds on a loaded machine).
/// (Unterminated strings, deep nesting, recursion, undefined names and shape mismatches between blocks are
/// covered by DiagnosticTests and the parser tests.)
@Suite struct AdversarialSourceTests {
    /// Elaborates `source`, which must fail; returns the errors and the seconds it took.
    func failure(_ source: String, options: ElaborationOptions = ElaborationOptions()) -> (errors: [Diagnostic], seconds: Double) {
        let start = Date()
        let ds = diagnostics(source, options: options)
        return (ds.filter { $0.severity == .error }, Date().timeIntervalSince(start))
    }

    @Test func hundredThousandLayersAreRefusedAtTheOpLimit() throws {
        let source = """
        model deep(seq_len: int = 16, hidden: int = 8) {
          input input_ids: i32[seq_len]
          let x = Embedding(input_ids, rows: 100, dim: hidden) @ "embed"
          for i in 0..<100000 { x = M2BertLayer(x, intermediate: 4 * hidden, nblocks: 2, order: 4, emb_dim: 3, l_max: seq_len) @ "layer.{i}" }
          output last_hidden_state = x
        }
        """
        let (errors, seconds) = failure(source)
        try #require(errors.count == 1, "\(errors)")
        #expect(errors[0].message.contains("expands to more than 100000 IR ops"), "\(errors[0].message)")
        #expect(errors[0].hint?.contains("unrolled at compile time") == true)
        #expect(seconds < 300, "took \(seconds) s")
    }

    @Test func nestedLoopsWithoutOpsAreRefusedAtTheStepLimit() throws {
        let source = """
        model spin() {
          for i in 0..<100000 {
            for j in 0..<100000 { let k = i + j }
          }
          output y = zeros([2])
        }
        """
        let (errors, seconds) = failure(source)
        try #require(errors.count == 1, "\(errors)")
        #expect(errors[0].message.contains("exceeds 1000000 steps"), "\(errors[0].message)")
        // Reported at a statement of the loops (lines 2–3), not somewhere arbitrary.
        #expect([2, 3].contains(errors[0].location?.line ?? 0), "\(errors[0])")
        #expect(seconds < 300, "took \(seconds) s")
    }

    /// B40 calls B39 twice, which calls B38 twice, …: 2^40 inlined calls with no loop anywhere.
    @Test func exponentialChainOfBlockCallsIsRefused() throws {
        var source = "block B0(x) { return x }\n"
        for k in 1...40 { source += "block B\(k)(x) { let a = B\(k - 1)(x)\n  return B\(k - 1)(a) }\n" }
        source += """
        model chain(n: int = 4) {
          input ids: i32[n]
          output y = B40(cast(ids, "f32"))
        }
        """
        let (errors, seconds) = failure(source)
        try #require(errors.count == 1, "\(errors.map(\.description))")
        #expect(errors[0].message.contains("exceeds 1000000 steps"), "\(errors[0].message)")
        #expect(seconds < 300, "took \(seconds) s")
    }

    /// A parameter typo that asks for a tensor past m2c's per-tensor limit (2^31 − 1 elements) is an error at
    /// the call that makes the tensor, naming it and its size, before anything of that size is allocated (random
    /// weights for `--param filter_order=1000000` used to abort m2c with a failed 4 TB allocation).
    @Test func tensorsPastTheSizeLimitAreRefusedWhereTheyAreMade() throws {
        let source = try String(contentsOfFile: examplePath("m2-bert-base.m2"), encoding: .utf8)
        var options = ElaborationOptions()
        options.paramOverrides = ["filter_order": .int(1_000_000)]
        let (errors, seconds) = failure(source, options: options)
        // One error per such weight of the first layer (its four filter MLPs), where elaboration stops.
        try #require(errors.count == 4, "\(errors)")
        #expect(errors.allSatisfy { $0.message.contains("m2c's limit is 2147483647 elements per tensor") })
        let message = errors[0].message
        #expect(message.contains("implicit_filter.2.weight': f32[1000000,1000000] has 1000000000000 elements (3725.3 GiB)"),
                "\(message)")
        #expect(message.contains("m2c's limit is 2147483647 elements per tensor"), "\(message)")
        #expect(errors[0].location?.file == "<prelude>" && errors[0].location?.line ?? 0 > 0, "\(errors[0])")
        #expect(seconds < 300, "took \(seconds) s")

        // An activation past the limit (per batch item) is refused the same way, at its declaration.
        let activation = { (n: Int) in """
            model wide(n: int = \(n)) {
              input ids: i32[n]
              output y = cast(ids, "f32")
            }
            """ }
        let tooWide = failure(activation(1 << 31), options: ElaborationOptions()).errors
        try #require(tooWide.count == 1, "\(tooWide)")
        #expect(tooWide[0].message.contains("i32[B,2147483648] has 2147483648 elements per batch item (8.0 GiB)"),
                "\(tooWide[0].message)")
        #expect(tooWide[0].location?.line == 2, "\(tooWide[0])")
    }

    /// The limits leave room: the largest bundled example elaborates well inside them.
    @Test func realModelsStayFarBelowTheLimits() throws {
        let model = try #require(elaborate(try String(contentsOfFile: examplePath("m2-bert-large.m2"), encoding: .utf8)))
        #expect(model.graph.ops.count * 20 < 100_000, "\(model.graph.ops.count) ops")
    }
}
