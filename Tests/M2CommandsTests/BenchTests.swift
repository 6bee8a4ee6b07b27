import Foundation
import Testing
@testable import M2Commands
import M2Frontend
import M2IR
import M2Passes

/// `m2c bench` on the tiny fixture's model with one timed forward: the records and their JSON schema, not speed.
@Suite("m2c bench", .serialized)
struct BenchTests {
    let model = Fixtures.scratchDirectory("m2c-bench") + "/tiny.m2"

    func records(_ extra: [String]) throws -> [(BenchRecord, ProfileReport?)] {
        let config = try #require(Fixtures.golden("tiny", "config.json")).path
        var importer = try M2C.parseAsRoot(["import", config, "-o", model])
        try importer.run()
        let command = try #require(try M2C.parseAsRoot(["bench", model, "--reps", "1", "--warmup-seconds", "0"] + extra) as? BenchCommand)
        var results: [(BenchRecord, ProfileReport?)] = []
        try command.measure { results.append(($0, $1)) }
        return results
    }

    /// Linux x86-64 with AVX2 and FMA (or AVX-512), where Templates/cpu/fma_peak.c.tmpl has a vector FMA to time.
    static let hostHasVectorFMA: Bool = {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let set = Set(flags.split(separator: " ").map(String.init))
        return set.contains("avx512f") || (set.contains("avx2") && set.contains("fma"))
    }()

    @Test("--json lines carry the documented keys with consistent values, one per (L, batch)")
    func jsonSchema() throws {
        let results = try records(["--seq-len", "32,64", "--batch", "1,2", "--outputs", "last_hidden_state", "--json"])
        #expect(results.map { "\($0.0.seqLen)x\($0.0.batch)" } == ["32x1", "32x2", "64x1", "64x2"])
        for (record, profile) in results {
            #expect(profile == nil)
            let line = try record.jsonLine()
            #expect(!line.contains("\n"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["seq_len", "batch", "threads", "ms_per_forward", "tokens_per_ms", "model_gflop_per_forward",
                        "achieved_gflops", "sgemm_gflops_same_run", "fma_peak_gflops_same_run", "percent_of_fma_peak",
                        "m2c_version", "date"] {
                #expect(object[key] != nil, "missing \(key)")
            }
            #expect(object["tiles"] as? String == "cost-model")
            let ms = try #require(object["ms_per_forward"] as? Double)
            let gflop = try #require(object["model_gflop_per_forward"] as? Double)
            #expect(ms > 0)
            #expect(abs(try #require(object["tokens_per_ms"] as? Double) - Double(record.seqLen * record.batch) / ms) < 1e-9 * Double(record.seqLen))
            #expect(abs(try #require(object["achieved_gflops"] as? Double) - gflop / (ms * 1e-3)) < 1e-6 * gflop / (ms * 1e-3))
            #expect(object["sgemm_gflops_same_run"] is Double || object["sgemm_gflops_same_run"] is NSNull)
            // The roofline: measured wherever the CPU has a vector FMA to measure, and no model runs above it.
            if Self.hostHasVectorFMA {
                let peak = try #require(object["fma_peak_gflops_same_run"] as? Double, "no FMA peak on an AVX2/AVX-512 host")
                let achieved = gflop / (ms * 1e-3)
                #expect(peak > achieved, "the tiny model at \(achieved) GFLOP/s above the FMA peak \(peak)")
                #expect(abs(try #require(object["percent_of_fma_peak"] as? Double) - 100 * achieved / peak) < 1e-9 * 100 * achieved / peak)
            } else {
                #expect(object["fma_peak_gflops_same_run"] is Double || object["fma_peak_gflops_same_run"] is NSNull)
            }
            #expect(object["m2c_version"] as? String == M2CVersion.string)

            // Model flops: the elaborated graph at this length, per item, times the batch.
            var options = ElaborationOptions()
            options.paramOverrides["seq_len"] = .int(record.seqLen)
            options.outputs = ["last_hidden_state"]
            let graph = try Frontend.elaborate(file: model, options: options).graph
            #expect(abs(gflop - FlopCount.perItem(graph) * Double(record.batch) * 1e-9) < 1e-12)
        }
        // Twice the length at least doubles the flops (matmuls are linear in L, the long convs grow faster).
        #expect(results[2].0.modelGflopPerForward >= 2 * results[0].0.modelGflopPerForward)
    }

    @Test("--memory measures the peak RSS of a forward out of process against the memory plan")
    func memory() throws {
        let results = try records(["--seq-len", "64", "--batch", "1,4", "--outputs", "last_hidden_state", "--memory", "--no-sgemm"])
        #expect(results.count == 2)
        let one = try #require(results.first?.0.memory), four = try #require(results.last?.0.memory)
        // The weights image is read whole at open, so it is resident; the arena scales with the batch.
        #expect(one.weightsBytes > 0 && one.peakRssBytes >= one.weightsBytes)
        // The harness's own pages only (not m2c's, which a vfork-started child's ru_maxrss would include): the
        // plan plus the C runtime and OpenMP, far below this margin.
        #expect(four.peakRssBytes < four.budgetBytes + 64 << 20, "peak \(four.peakRssBytes) vs plan \(four.budgetBytes)")
        #expect(four.arenaBytes == 4 * one.arenaBytes && one.arenaBytes > 0)
        #expect(four.weightsBytes == one.weightsBytes && four.staticsBytes == one.staticsBytes)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(results[0].0.jsonLine().utf8)) as? [String: Any])
        let memory = try #require(object["memory"] as? [String: Any])
        for key in ["peak_rss_bytes", "weights_bytes", "statics_bytes", "arena_bytes", "budget_bytes", "budget_ratio"] {
            #expect(memory[key] != nil, "missing memory.\(key)")
        }
        #expect(MemoryMeasurement.peakRSS(in: "noise\npeak_rss_bytes=123456\n") == 123456)
        #expect(MemoryMeasurement.peakRSS(in: "no report") == nil)
    }

    @Test("the FMA-peak roofline of a batch is the higher of the measurements before and after it")
    func peakRoofline() {
        #expect(FMAPeak.roofline(117.1, 231.4) == 231.4)   // a disturbed first measurement does not set the roofline
        #expect(FMAPeak.roofline(233.0, 229.5) == 233.0)
        #expect(FMAPeak.roofline(nil, 230.0) == 230.0)      // one failed measurement leaves the other
        #expect(FMAPeak.roofline(nil, nil) == nil)
    }

    @Test("--profile adds per-op rows whose shares sum to 1 and whose flops add up to the model's")
    func profile() throws {
        let results = try records(["--profile", "--no-sgemm", "--no-peak"])
        let (record, report) = try #require(results.first)
        let profile = try #require(report)
        #expect(record.sgemmGflopsSameRun == nil)
        #expect(record.fmaPeakGflopsSameRun == nil && record.percentOfFmaPeak == nil)
        #expect(record.cflags.contains("-DM2_PROFILE"))
        #expect(!profile.ops.isEmpty)
        #expect(abs(profile.ops.reduce(0) { $0 + $1.share } - 1) < 1e-9)
        // The profile counts the ops of the compiled graph (after the CPU pipeline, as bench compiles it), one forward of one item.
        let session = try CompilerSession.open(try ModelOptions.parse([model, "--random-weights", "1"]), requireWeights: true,
                                               log: { _ in })
        let compiled = try session.runPasses(try CompilerSession.pipeline(PassRegistry.cpuPipeline, upTo: nil))
        let profiledGflop = profile.ops.reduce(0) { $0 + $1.gflopPerForward }
        #expect(abs(profiledGflop - FlopCount.perItem(compiled) * 1e-9) < 1e-6 * profiledGflop)
        #expect(profile.ops.count == FlopCount.forwardOps(of: compiled).count)
        #expect(Set(profile.kinds.map(\.op)).isSuperset(of: ["fused_matmul", "layer_norm"]))
        let rendered = profile.render(top: 3)
        #expect(rendered.contains("by op kind:"))
        #expect(rendered.contains("more ops"))
    }

    @Test("--tune at each length is recorded in the kept NAME.ir, and --tiles that file benches the same C")
    func tuneAndTilesFromKeptIR() throws {
        let kept = Fixtures.scratchDirectory("m2c-bench-tune")
        let common = ["--seq-len", "32", "--no-sgemm", "--no-peak", "--outputs", "last_hidden_state"]
        let tuned = try records(common + ["--tune", "--tune-reps", "1", "--keep", "\(kept)/tuned"])
        #expect(tuned.map(\.0.tiles) == ["tuned"])
        let ir = "\(kept)/tuned/L32/tiny.ir"
        let text = try String(contentsOfFile: ir, encoding: .utf8)
        let tiled = text.split(separator: "\n").filter { $0.contains(" tile = \"") }
        #expect(!tiled.isEmpty && tiled.allSatisfy { $0.contains(" tuned = \"") }, "\(ir) has no tuned tiles")

        let again = try records(common + ["--tiles", ir, "--keep", "\(kept)/again"])
        #expect(again.map(\.0.tiles) == ["file \(ir)"])
        #expect(try String(contentsOfFile: "\(kept)/again/L32/tiny.c", encoding: .utf8)
                == String(contentsOfFile: "\(kept)/tuned/L32/tiny.c", encoding: .utf8))
        // The tuning is of one length: another length's build refuses it by the matmuls' types.
        let cmd = try #require(try M2C.parseAsRoot(["bench", model, "--reps", "1", "--warmup-seconds", "0", "--seq-len", "64",
                                                    "--tiles", ir] + common.dropFirst(2)) as? BenchCommand)
        #expect(throws: ReportedFailure.self) { try cmd.measure { _, _ in } }
    }

    @Test func badListsAreRejected() throws {
        #expect(throws: (any Error).self) { try M2C.parseAsRoot(["bench", "m.m2", "--seq-len", "128,x"]) }
        #expect(throws: (any Error).self) { try M2C.parseAsRoot(["bench", "m.m2", "--threads", "0"]) }
    }
}
