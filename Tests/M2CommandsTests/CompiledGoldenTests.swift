import Foundation
import Testing
@testable import M2Commands
import M2IR
import M2Passes
import M2Weights

/// Generated C against the original M2-BERT (../shared/golden): every fixture compiled, built, run and matched
/// within 1e-4·std for every output, also with batch > 1, under ASan+UBSan and valgrind, and warning-free.
@Suite("Compiled C vs golden fixtures", .serialized)
struct CompiledGoldenTests {
    let tmp = Fixtures.scratchDirectory("m2c-golden")

    /// `m2c import` of the fixture's config, and the weights arguments (model + pooler).
    func model(_ fixture: String) throws -> (model: String, weights: [String], io: String)? {
        guard let config = Fixtures.golden(fixture, "config.json"), let w = Fixtures.golden(fixture, "weights.safetensors"),
              let p = Fixtures.golden(fixture, "pooler.safetensors"), let io = Fixtures.golden(fixture, "io.safetensors") else { return nil }
        let path = "\(tmp)/\(fixture).m2"
        #expect(try m2c(["import", config.path, "-o", path]))
        return (path, ["--weights", w.path, "--weights", p.path], io.path)
    }

    @Test(arguments: ["tiny", "small", "plain", "base1"])
    func goldenInputs(_ fixture: String) throws {
        guard let m = try model(fixture) else {
            #expect(fixture == "base1", "fixture \(fixture) missing")
            print("\(fixture): SKIPPED — ../shared/golden/\(fixture).* not found beside the clone (CI provides it)")
            return
        }
        #expect(try m2c(["verify", m.model] + m.weights + ["--golden", m.io]))
    }

    @Test(arguments: ["tiny", "plain"])
    func largerBatchAgainstTheReference(_ fixture: String) throws {
        let m = try #require(try model(fixture))
        #expect(try m2c(["verify", m.model] + m.weights + ["--batch", "5", "--random-inputs", "7", "--threads", "2"]))
    }

    @Test(arguments: ["tiny", "small", "plain", "base1"])
    func addressAndUndefinedBehaviourSanitizers(_ fixture: String) throws {
        guard let m = try model(fixture) else { return try Self.skipMissing(fixture) }
        #expect(try m2c(["verify", m.model] + m.weights + ["--golden", m.io, "--sanitize"]))
        #expect(try m2c(["verify", m.model] + m.weights + ["--batch", "3", "--sanitize", "--cc", "clang"]))
    }

    /// memcheck: no invalid access, no definite or indirect leak after close, on every fixture.
    @Test(arguments: ["tiny", "small", "plain", "base1"])
    func valgrindFindsNoErrorsOrLeaks(_ fixture: String) throws {
        guard let m = try model(fixture) else { return try Self.skipMissing(fixture) }
        #expect(try m2c(["verify", m.model] + m.weights + ["--golden", m.io, "--valgrind"]))
    }

    /// Only base1 may be absent (it stays in ../shared/golden, which CI has); the others are in the repository.
    static func skipMissing(_ fixture: String) throws {
        #expect(fixture == "base1", "fixture \(fixture) missing from Tests/Fixtures/golden")
        print("\(fixture): SKIPPED — ../shared/golden/\(fixture).* not found beside the clone (CI provides it)")
    }

    /// Fusion on (the default) and off (`--no-fusion`) both match the reference and the golden outputs, and the
    /// fused graph really holds the fused ops (so this fails if fusion silently stops firing).
    @Test(arguments: ["tiny", "small", "plain", "base1"])
    func fusionOnAndOff(_ fixture: String) throws {
        guard let m = try model(fixture) else { return try Self.skipMissing(fixture) }
        #expect(try m2c(["verify", m.model] + m.weights + ["--golden", m.io]))
        #expect(try m2c(["verify", m.model] + m.weights + ["--golden", m.io, "--no-fusion"]))

        let session = try CompilerSession.open(try ModelOptions.parse([m.model] + m.weights), requireWeights: true, log: { _ in })
        var fused: [String: Int] = [:], gluEpilogues = 0
        for op in try session.runPasses(PassRegistry.cpuPipeline()).ops {
            fused[op.kind.mnemonic, default: 0] += 1
            if case .fusedMatmul(_, let steps) = op.kind, steps.last?.isGLU == true { gluEpilogues += 1 }
        }
        let unfused = try session.runPasses(PassRegistry.cpuPipeline(fusion: false)).ops.map(\.kind.mnemonic)
        // Per layer: in-projection, out-projection and MLP matmuls carry epilogues, the gated MLP's GLU (a
        // `glu_gelu` epilogue: no glu kernel is left) or the plain MLP's GELU; the embeddings' sum is normalised by
        // add_layer_norm.
        #expect(fused["fused_matmul", default: 0] >= 6, "\(fixture): \(fused)")
        #expect(fused["add_layer_norm", default: 0] >= 1, "\(fixture): \(fused)")
        #expect(fused["gelu", default: 0] == 0, "\(fixture): a GELU still runs as its own pass: \(fused)")
        if fixture != "plain" { #expect(gluEpilogues >= 1 && fused["glu", default: 0] == 0, "\(fixture): \(fused)") }
        // The sequence mixer's transposes (into the short conv, the layer input into its long conv, back into
        // the out-projection) are folded: its short_conv and monarch_conv ops run channels-last.
        #expect(fused["transpose", default: 0] == 0, "\(fixture): a transpose still runs: \(fused)")
        #expect(!unfused.contains("fused_matmul") && !unfused.contains("glu") && !unfused.contains("add_layer_norm"))
    }

    /// A reference whose outputs are slightly off must fail verification (the check can fail).
    @Test func verifyFailsOnAPerturbedGolden() throws {
        let m = try #require(try model("tiny"))
        let io = try SafetensorsFile(path: m.io)
        var tensors: [(name: String, shape: [Int], dtype: WeightDType, bytes: [UInt8])] = []
        for key in io.keys {
            let shape = try #require(io.shape(of: key))
            if io.dtype(of: key) == .i32 {
                tensors.append((key, shape, .i32, SafetensorsWriter.bytes(of: try io.int32s(key))))
            } else {
                let delta: Float = key == "mlm_logits" ? 1e-3 : 0
                tensors.append((key, shape, .f32, SafetensorsWriter.bytes(of: try io.floats(key).map { $0 + delta })))
            }
        }
        let perturbed = "\(tmp)/perturbed.io.safetensors"
        try SafetensorsWriter.write(path: perturbed, tensors: tensors)
        #expect(try !m2c(["verify", m.model] + m.weights + ["--golden", perturbed]))
    }

    /// The generated source (library and harness) is warning-free under gcc and clang with -Wall -Wextra -Werror,
    /// also with `--outputs` leaving an optional input unread (tiny's attention_mask feeds only the mean pooler).
    @Test(arguments: ["gcc", "clang"])
    func generatedCodeIsWarningFree(_ compiler: String) throws {
        for (fixture, options) in [("tiny", []), ("plain", []), ("tiny", ["--outputs", "last_hidden_state"])] {
            let m = try #require(try model(fixture))
            let dir = "\(tmp)/\(fixture)-\(compiler)\(options.isEmpty ? "" : "-subset")"
            #expect(try m2c(["compile", m.model] + m.weights + options + ["-o", dir]))
            let result = try Subprocess.run(["make", "-s", "-C", dir, "CC=\(compiler)",
                                             "CFLAGS=-O2 -Wall -Wextra -Werror -pedantic", "all", "\(fixture)_harness"])
            #expect(result.status == 0, "\(compiler) on \(fixture):\n\(result.stderr)")
        }
    }
}
