import Foundation
import Testing
@testable import M2Commands
import M2IR
import M2Weights

/// The commands driven in-process, as a user types them.
@Suite("m2c commands", .serialized)
struct CLITests {
    let tmp = Fixtures.scratchDirectory("m2c-cli")

    func golden(_ fixture: String, _ suffix: String) throws -> String {
        try #require(Fixtures.golden(fixture, suffix)).path
    }

    @Test func importThenRunMatchesTheOriginal() throws {
        let model = "\(tmp)/plain.m2"
        try m2c(["import", try golden("plain", "config.json"), "-o", model])
        let ok = try m2c(["run", model, "--weights", try golden("plain", "weights.safetensors"),
                          "--weights", try golden("plain", "pooler.safetensors"),
                          "--inputs", try golden("plain", "io.safetensors"), "-o", "\(tmp)/out.safetensors",
                          "--compare", try golden("plain", "io.safetensors")])
        #expect(ok)
        let out = try SafetensorsFile(path: "\(tmp)/out.safetensors")
        #expect(Set(out.keys) == ["last_hidden_state", "pooled_output", "pooled_output_mean", "mlm_logits"])
        #expect(out.shape(of: "mlm_logits") == [1, 128, 500])
    }

    @Test func compareFailsOnTheWrongReference() throws {
        let model = "\(tmp)/tiny.m2"
        try m2c(["import", try golden("tiny", "config.json"), "-o", model])
        // A reference whose tensors carry the right names but other values: the comparison must fail.
        let other = "\(tmp)/other.safetensors"
        let io = try SafetensorsFile(path: try golden("tiny", "io.safetensors"))
        let shape = try #require(io.shape(of: "pooled_output"))
        try SafetensorsWriter.write(path: other, floatTensors: [("pooled_output", shape, try io.floats("pooled_output").map { $0 + 0.01 })])
        let ok = try m2c(["run", model, "--weights", try golden("tiny", "weights.safetensors"),
                          "--weights", try golden("tiny", "pooler.safetensors"), "--inputs", io.path,
                          "-o", "\(tmp)/o.safetensors", "--compare", other, "--outputs", "pooled_output"])
        #expect(!ok)
    }

    @Test func mismatchedWeightsAreRejectedBeforeRunning() throws {
        let model = "\(tmp)/tiny.m2"
        try m2c(["import", try golden("tiny", "config.json"), "-o", model])
        let ok = try m2c(["run", model, "--weights", try golden("small", "weights.safetensors"),
                          "--random-inputs", "1", "-o", "\(tmp)/o.safetensors"])
        #expect(!ok)
        #expect(!FileManager.default.fileExists(atPath: "\(tmp)/o.safetensors"))
    }

    /// Sizes no machine can hold are errors before anything is allocated, not an abort on a failed allocation:
    /// a tensor past the per-tensor limit, random weights past the machine's memory (16 layers of 46000² filter
    /// MLP weights, each under the limit: ≈ 1 TiB), and batches whose values cannot fit.
    @Test func impossibleSizesAreErrorsNotAborts() throws {
        let model = "\(tmp)/tiny.m2"
        try m2c(["import", try golden("tiny", "config.json"), "-o", model])
        let out = "\(tmp)/never.safetensors"
        #expect(try !m2c(["ir", model, "--random-weights", "1", "--param", "filter_order=1000000"]))
        #expect(try !m2c(["ir", model, "--random-weights", "1", "--param", "filter_order=46000", "--param", "layers=16"]))
        #expect(try !m2c(["run", model, "--random-weights", "1", "--random-inputs", "1", "--batch", "1000000000", "-o", out]))
        #expect(try !m2c(["verify", model, "--random-weights", "1", "--batch", "100000000"]))
        #expect(!FileManager.default.fileExists(atPath: out))
        // The same commands at sizes that fit still work.
        #expect(try m2c(["run", model, "--random-weights", "1", "--random-inputs", "1", "--batch", "3", "-o", out]))
    }

    /// L = 67 (2L = 2·67 has no Monarch factorization) compiles with direct long convolutions and the built C
    /// matches the reference; the differential fuzzer's first finding (fuzz/mutate-commands.py params), which
    /// used to be the error "cannot lower long_conv".
    @Test func aLengthWithoutAMonarchFactorizationCompilesDirectAndVerifies() throws {
        let model = "\(tmp)/tiny.m2"
        try m2c(["import", try golden("tiny", "config.json"), "-o", model])
        let shape = ["--param", "seq_len=67", "--param", "max_positions=100", "--param", "l_max=100"]
        #expect(try m2c(["verify", model, "--random-weights", "1", "--batch", "2"] + shape))
        #expect(try m2c(["compile", model, "--random-weights", "1", "-o", "\(tmp)/prime"] + shape))
        let ir = try String(contentsOfFile: "\(tmp)/prime/tiny.ir", encoding: .utf8)
        #expect(ir.contains("= long_conv ") && !ir.contains("monarch_conv"))
    }

    @Test func compileDumpsTheIRAfterEveryPass() throws {
        let model = "\(tmp)/tiny.m2"
        try m2c(["import", try golden("tiny", "config.json"), "-o", model])
        try m2c(["compile", model, "--random-weights", "5", "--dump-ir", "\(tmp)/dump", "-o", "\(tmp)/build"])
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(tmp)/dump").sorted()
        #expect(files == ["00-elaborate.ir", "01-fold-constants.ir", "02-canonicalize.ir", "03-dce.ir",
                          "04-form-monarch-conv.ir", "05-canonicalize.ir", "06-fuse.ir", "07-dce.ir"])
        let elaborated = try String(contentsOfFile: "\(tmp)/dump/00-elaborate.ir", encoding: .utf8)
        let folded = try String(contentsOfFile: "\(tmp)/dump/03-dce.ir", encoding: .utf8)
        // The implicit filter MLPs (sin) exist before folding and are constants afterwards.
        #expect(elaborated.contains(" = sin "))
        #expect(!folded.contains(" = sin ") && folded.contains("#{folded = true}"))
        #expect(!folded.contains("implicit_filter"), "filter weights are dead after folding")
        // The CPU pipeline then turns the long convolutions into fused monarch_conv ops; NAME.ir is its last dump
        // plus the kernel and tile choices the CPU emitter recorded on each matmul.
        let lowered = try String(contentsOfFile: "\(tmp)/dump/07-dce.ir", encoding: .utf8)
        #expect(folded.contains(" = long_conv ") && !lowered.contains(" = long_conv "))
        let final = try String(contentsOfFile: "\(tmp)/build/tiny.ir", encoding: .utf8)
        #expect(final.contains(#"tile = "mr="#))
        #expect(Self.withoutTileAnnotations(final) == lowered)
    }

    /// Removes the `kernel`/`tile` entries the CPU emitter adds to `#{…}` annotation dictionaries.
    static func withoutTileAnnotations(_ ir: String) -> String {
        var text = ir.replacingOccurrences(of: #"(kernel|tile) = "[^"]*"(, )?"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: ", }", with: "}")
        return text.replacingOccurrences(of: " #{}", with: "")
    }

    @Test func compileForCPUWritesAndBuildsTheLibrary() throws {
        let model = "\(tmp)/tiny.m2"
        try m2c(["import", try golden("tiny", "config.json"), "-o", model])
        let out = "\(tmp)/lib"
        #expect(try m2c(["compile", model, "--target", "cpu", "--random-weights", "2", "-o", out, "--build"]))
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        for f in ["tiny.h", "tiny.c", "tiny.m2w", "tiny.ir", "Makefile", "tiny.swift", "module.modulemap",
                  "tiny_harness.c", "libtiny.a", "libtiny.so", "tiny.pc"] {
            #expect(files.contains(f), "compile --build did not write \(f)")
        }
        let header = try String(contentsOfFile: "\(out)/tiny.h", encoding: .utf8)
        #expect(header.contains("#define TINY_SEQ_LEN 64") && header.contains("int tiny_forward(tiny_model *m, int batch,"))
    }

    @Test func compileForCUDAWritesTheLibraryAndRejectsBadOptions() throws {
        let model = "\(tmp)/tiny.m2"
        try m2c(["import", try golden("tiny", "config.json"), "-o", model])
        #expect(try m2c(["compile", model, "--target", "cuda", "--precision", "fp16", "--random-weights", "1", "-o", "\(tmp)/b"]))
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(tmp)/b")
        #expect(Set(files).isSuperset(of: ["tiny.cu", "tiny.h", "Makefile", "tiny.m2w", "tiny.swift", "tiny.ir"]))
        #expect(try String(contentsOfFile: "\(tmp)/b/tiny.ir", encoding: .utf8).contains("precision = \"fp16\""))
        #expect(throws: (any Error).self) { try M2C.parseAsRoot(["compile", model, "--target", "cuda", "--cuda-arch", "ampere"]) }
        // Architectures the kernels cannot run on are refused before anything is written (not by ptxas after a
        // build): bf16/fp16 need sm_80, anything needs sm_75; fp32 on sm_75 is accepted.
        for (arch, precision) in [("sm_75", "bf16"), ("sm_75", "fp16"), ("sm_70", "fp32"), ("sm_1", "fp32")] {
            #expect(throws: (any Error).self, "\(arch) \(precision)") {
                try M2C.parseAsRoot(["compile", model, "--target", "cuda", "--precision", precision, "--cuda-arch", arch])
            }
        }
        #expect(try m2c(["compile", model, "--target", "cuda", "--precision", "fp32", "--cuda-arch", "sm_75",
                         "--random-weights", "1", "-o", "\(tmp)/c"]))
    }

    @Test func irAfterAPassAndDotFormat() throws {
        let model = Fixtures.example("m2-bert-base.m2").path
        try m2c(["ir", model, "--after", "elaborate", "--param", "layers=1", "-o", "\(tmp)/e.ir"])
        try m2c(["ir", model, "--param", "layers=1", "--random-weights", "1", "--format", "dot", "-o", "\(tmp)/g.dot"])
        let text = try String(contentsOfFile: "\(tmp)/e.ir", encoding: .utf8)
        #expect(text.hasPrefix("graph @m2_bert_base"))
        #expect(text.contains("sin "), "nothing folded before any pass")
        let dot = try String(contentsOfFile: "\(tmp)/g.dot", encoding: .utf8)
        #expect(dot.hasPrefix("digraph") && dot.contains("long_conv"))
        #expect(try !m2c(["ir", model, "--after", "no-such-pass"]))
    }

    @Test func randomWeightsAndInputsAreDeterministic() throws {
        let model = Fixtures.example("monarch-mixer-mlp.m2").path
        for i in 0..<2 {
            try m2c(["run", model, "--random-weights", "3", "--random-inputs", "9", "--batch", "2",
                     "--param", "depth=1", "-o", "\(tmp)/mm\(i).safetensors"])
        }
        let a = try SafetensorsFile(path: "\(tmp)/mm0.safetensors"), b = try SafetensorsFile(path: "\(tmp)/mm1.safetensors")
        let logits = try a.floats("logits")
        #expect(a.shape(of: "logits") == [2, 10])
        #expect(logits == (try b.floats("logits")))
        #expect(logits.allSatisfy(\.isFinite) && Set(logits).count > 1)
    }

    @Test(arguments: ["m2-bert-base.m2", "m2-bert-large.m2", "m2-bert-retrieval-2k.m2"])
    func bertExamplesRunWithRandomWeights(_ example: String) throws {
        // One layer, short sequence and small vocabulary keep the Float64 reference fast in a debug build.
        let ok = try m2c(["run", Fixtures.example(example).path, "--random-weights", "1", "--random-inputs", "2",
                          "--param", "layers=1", "--param", "seq_len=32", "--param", "vocab=64",
                          "--outputs", "pooled_output", "-o", "\(tmp)/\(example).safetensors"])
        #expect(ok)
        let out = try SafetensorsFile(path: "\(tmp)/\(example).safetensors")
        #expect(try out.floats("pooled_output").allSatisfy { $0.isFinite && abs($0) <= 1 }, "tanh pooler output")
    }
}
