import ArgumentParser
import Foundation
import Testing
@testable import M2Commands
import M2IR

/// `--tune` (tiles timed in the built model) and `--tiles FILE.ir` (tiles read back from an IR dump) as a user runs
/// them: the choices are recorded, reproduce the same C, and the tuned kernels still match the original M2-BERT.
@Suite("m2c --tune and --tiles", .serialized)
struct TuneCommandTests {
    let tmp = Fixtures.scratchDirectory("m2c-tune")

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func tuneRecordsItsChoicesAndTilesReproducesThemAndVerifies() throws {
        let (model, w, golden) = try Fixtures.importedTiny(into: tmp)

        #expect(try m2c(["compile", model] + w + ["--tune", "--tune-reps", "2", "--tune-threads", "2", "-o", "\(tmp)/tuned"]))
        let ir = try read("\(tmp)/tuned/tiny.ir")
        let tiled = ir.split(separator: "\n").filter { $0.contains(" tile = \"") }
        #expect(tiled.count >= 4, "only \(tiled.count) tiled matmuls in tiny.ir")
        for line in tiled {
            #expect(line.contains(" tuned = \""), "a tiled matmul without a tuned note: \(line)")
            #expect(line.contains("paired forwards") || line.contains("the only candidate"), "\(line)")
        }

        // --tiles reproduces the tuned compile: the same IR and the same C, without timing anything.
        #expect(try m2c(["compile", model] + w + ["--tiles", "\(tmp)/tuned/tiny.ir", "-o", "\(tmp)/again"]))
        #expect(try read("\(tmp)/again/tiny.ir") == ir)
        #expect(try read("\(tmp)/again/tiny.c") == read("\(tmp)/tuned/tiny.c"))

        // The tuned kernels against the original PyTorch outputs (every candidate's kernels also run under ASan +
        // UBSan in TileChoiceTests; a sanitized build of a whole model here would add minutes for no new code).
        #expect(try m2c(["verify", model] + w + ["--golden", golden, "--tiles", "\(tmp)/tuned/tiny.ir"]))

        // A file from another length, or for another kernel, is refused before anything is written.
        #expect(try !m2c(["compile", model] + w + ["--param", "seq_len=32", "--tiles", "\(tmp)/tuned/tiny.ir", "-o", "\(tmp)/other"]))
        #expect(try !m2c(["compile", model] + w + ["--cpu-isa", "generic", "--tiles", "\(tmp)/tuned/tiny.ir", "-o", "\(tmp)/other"]))
        #expect(!FileManager.default.fileExists(atPath: "\(tmp)/other/tiny.c"))
        #expect(try !m2c(["compile", model] + w + ["--tiles", "\(tmp)/missing.ir", "-o", "\(tmp)/other"]))
        // Tuning times forwards, so it needs weights.
        #expect(try !m2c(["compile", model, "--tune", "-o", "\(tmp)/other"]))
    }

    @Test func conflictingOrImpossibleTuneOptionsAreUsageErrors() throws {
        for args in [["--tune", "--tiles", "x.ir"], ["--tune", "--gemm", "openblas"], ["--tune", "--tune-batch", "0"],
                     ["--tune", "--tune-reps", "0"], ["--tune", "--tune-threads", "0"]] {
            #expect(throws: (any Error).self, "\(args)") { _ = try M2C.parseAsRoot(["compile", "m.m2"] + args) }
        }
        // Tiles are the CPU target's: refused for CUDA and the reference engine.
        for args in [["verify", "m.m2", "--target", "cuda", "--tune"], ["bench", "m.m2", "--target", "cuda", "--tiles", "x.ir"],
                     ["run", "m.m2", "--random-inputs", "1", "--tune"]] {
            #expect(throws: (any Error).self, "\(args)") { _ = try M2C.parseAsRoot(args) }
        }
        #expect(try !m2c(["compile", "m.m2", "--target", "cuda", "--tiles", "x.ir"]))
    }
}
