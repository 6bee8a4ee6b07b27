import Foundation
import Testing
@testable import M2Commands
import M2Weights

/// Weights with NaN/Inf values, and the generated C of the tiny golden model under ThreadSanitizer with two
/// handles on two threads.
@Suite("Hardening: non-finite weights, ThreadSanitizer", .serialized)
struct HardeningTests {
    let tmp = Fixtures.scratchDirectory("m2c-harden")

    func m2c(_ args: [String]) throws -> Int32 {
        var command = try M2C.parseAsRoot(args)
        do { try command.run(); return 0 } catch let failure as ReportedFailure { return failure.code }
    }

    func golden(_ suffix: String) throws -> String { try #require(Fixtures.golden("tiny", suffix)).path }

    /// The tiny fixture's weights with one NaN and one +Inf planted in two tensors.
    func poisonedWeights() throws -> String {
        let source = try SafetensorsFile(path: try golden("weights.safetensors"))
        var tensors: [(name: String, shape: [Int], dtype: WeightDType, bytes: [UInt8])] = []
        for key in source.keys {
            let shape = try #require(source.shape(of: key))
            if source.dtype(of: key) == .i32 {
                tensors.append((key, shape, .i32, SafetensorsWriter.bytes(of: try source.int32s(key))))
                continue
            }
            var values = try source.floats(key)
            if key == "bert.embeddings.LayerNorm.weight" { values[5] = .nan }
            if key == "bert.encoder.layer.1.mlp.wo.bias" { values[0] = .infinity; values[2] = -.infinity }
            tensors.append((key, shape, .f32, SafetensorsWriter.bytes(of: values)))
        }
        let path = "\(tmp)/poisoned.safetensors"
        try SafetensorsWriter.write(path: path, tensors: tensors)
        return path
    }

    func open(_ args: [String]) throws -> (ok: Bool, code: Int32, log: String) {
        final class Log: @unchecked Sendable { var text = "" }
        let log = Log()
        do {
            _ = try CompilerSession.open(try ModelOptions.parse(args), requireWeights: true, log: { log.text += $0 })
            return (true, 0, log.text)
        } catch let failure as ReportedFailure {
            return (false, failure.code, log.text)
        }
    }

    @Test func nonFiniteWeightsWarnPerTensorAndFailUnderStrict() throws {
        let model = "\(tmp)/tiny.m2"
        #expect(try m2c(["import", try golden("config.json"), "-o", model]) == 0)
        let weights = ["--weights", try poisonedWeights(), "--weights", try golden("pooler.safetensors")]

        let lenient = try open([model] + weights)
        #expect(lenient.ok, "\(lenient.log)")
        #expect(lenient.log.contains("warning: tensor 'bert.embeddings.LayerNorm.weight'") &&
                lenient.log.contains("has 1 NaN and 0 infinite value(s) (first at flat index 5)"), "\(lenient.log)")
        #expect(lenient.log.contains("warning: tensor 'bert.encoder.layer.1.mlp.wo.bias'") &&
                lenient.log.contains("has 0 NaN and 2 infinite value(s) (first at flat index 0)"), "\(lenient.log)")
        #expect(lenient.log.contains("--strict makes this an error"))

        let strict = try open([model] + weights + ["--strict"])
        #expect(!strict.ok && strict.code == 1)
        #expect(strict.log.contains("error: tensor 'bert.embeddings.LayerNorm.weight'"), "\(strict.log)")
        #expect(strict.log.contains("error: 2 weight tensor(s) hold NaN or infinite values (--strict)"), "\(strict.log)")
        // The CLI exits with that code, before anything is compiled.
        #expect(try m2c(["compile", model] + weights + ["--strict", "-o", "\(tmp)/never"]) == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(tmp)/never/tiny.c"))

        // The fixture's own weights are finite: no warning, and --strict passes.
        let clean = try open([model, "--weights", try golden("weights.safetensors"), "--weights", try golden("pooler.safetensors"), "--strict"])
        #expect(clean.ok && !clean.log.contains("NaN"), "\(clean.log)")
    }

    /// gcc's ThreadSanitizer (the Swift toolchain's clang cannot link its TSan runtime on Linux: the runtime
    /// wants libdispatch's Blocks symbols). Built without OpenMP, whose runtime TSan cannot see into; two
    /// handles each run forwards on their own thread, and must match sequential use bit for bit.
    @Test func twoHandlesOnTwoThreadsAreRaceFreeUnderThreadSanitizer() throws {
        let model = "\(tmp)/tiny.m2"
        #expect(try m2c(["import", try golden("config.json"), "-o", model]) == 0)
        let dir = "\(tmp)/tsan"
        #expect(try m2c(["compile", model, "--weights", try golden("weights.safetensors"),
                         "--weights", try golden("pooler.safetensors"), "-o", dir]) == 0)
        try Self.tsanDriver.write(toFile: "\(dir)/tsan_driver.c", atomically: true, encoding: .utf8)
        let build = try Subprocess.run(["gcc", "-std=c11", "-O1", "-g", "-fsanitize=thread", "-pthread", "-I", dir,
                                        "\(dir)/tsan_driver.c", "\(dir)/tiny.c", "-lm", "-o", "\(dir)/tsan_driver"])
        try #require(build.status == 0, "\(build.stderr)")
        let run = try Subprocess.run(["env", "TSAN_OPTIONS=halt_on_error=1 exitcode=66", "\(dir)/tsan_driver", "\(dir)/tiny.m2w"])
        #expect(run.status == 0, "status \(run.status)\n\(run.stdout)\n\(run.stderr)")
        #expect(!run.stderr.contains("ThreadSanitizer"), "\(run.stderr)")
        #expect(run.stdout.contains("concurrent == sequential"), "\(run.stdout)")
    }

    static let tsanDriver = """
    #include "tiny.h"
    #include <pthread.h>
    #include <stdio.h>
    #include <string.h>

    enum { BATCH = 2, ROUNDS = 3 };
    static tiny_model *models[2];
    static int32_t ids[2][BATCH * TINY_SEQ_LEN];
    static float expected[2][BATCH * TINY_OUT_LAST_HIDDEN_STATE_SIZE];
    static float got[2][BATCH * TINY_OUT_LAST_HIDDEN_STATE_SIZE];
    static int failures[2];

    static int forward(int h, float *hidden) {
        tiny_outputs out = {0};
        out.last_hidden_state = hidden;
        return tiny_forward(models[h], BATCH, ids[h], NULL, NULL, &out);
    }

    static void *worker(void *arg) {
        int h = *(int *)arg;
        for (int r = 0; r < ROUNDS; r++) {
            if (forward(h, got[h]) != TINY_OK || memcmp(got[h], expected[h], sizeof got[h]) != 0) failures[h]++;
        }
        return NULL;
    }

    int main(int argc, char **argv) {
        if (argc < 2) return 2;
        for (int h = 0; h < 2; h++) {
            if (tiny_open(argv[1], &models[h]) != TINY_OK) { printf("open: %s\\n", tiny_last_error(models[h])); return 3; }
            for (int i = 0; i < BATCH * TINY_SEQ_LEN; i++) ids[h][i] = (i * (7 + 6 * h) + 3 * h) % TINY_VOCAB;
            if (forward(h, expected[h]) != TINY_OK) return 4;
        }
        if (memcmp(expected[0], expected[1], sizeof expected[0]) == 0) { printf("inputs did not differ\\n"); return 5; }
        pthread_t threads[2];
        int index[2] = {0, 1};
        for (int h = 0; h < 2; h++) pthread_create(&threads[h], NULL, worker, &index[h]);
        for (int h = 0; h < 2; h++) pthread_join(threads[h], NULL);
        for (int h = 0; h < 2; h++) tiny_close(models[h]);
        if (failures[0] || failures[1]) { printf("mismatches: %d %d\\n", failures[0], failures[1]); return 6; }
        printf("concurrent == sequential\\n");
        return 0;
    }
    """
}
