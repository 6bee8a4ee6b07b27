import ArgumentParser
import Foundation
import Testing
@testable import M2Commands
import M2TargetCPU

/// `m2c verify --cpu-isa neon --cc aarch64-linux-gnu-gcc --run-under qemu-aarch64`: the tiny fixture's neon build
/// against the original PyTorch outputs on an x86 machine; and kernels this machine cannot run are refused with
/// what to do instead, by every command that would run them here.
@Suite("m2c verify --run-under, and ISAs this machine does not run", .serialized)
struct CrossVerifyTests {
    static let crossCompiler = "aarch64-linux-gnu-gcc"
    static let emulator = "qemu-aarch64 -L /usr/aarch64-linux-gnu"
    static let crossAvailable = [crossCompiler, "qemu-aarch64"].allSatisfy { tool in
        (try? Subprocess.run(["sh", "-c", "command -v \(tool)"]).status) == 0
    }

    let tmp = Fixtures.scratchDirectory("m2c-cross")

    @Test("the neon build of the tiny fixture matches the golden outputs under qemu-aarch64",
          .enabled(if: crossAvailable, "SKIPPED: aarch64-linux-gnu-gcc or qemu-aarch64 not found — run scripts/setup.sh (Debian: gcc-aarch64-linux-gnu, qemu-user)"))
    func neonUnderQemuMatchesGolden() throws {
        let (model, weights, golden) = try Fixtures.importedTiny(into: tmp)
        #expect(try m2c(["verify", model] + weights + ["--golden", golden, "--cpu-isa", "neon", "--cc", Self.crossCompiler,
                                                       "--cflags=-O2 -Wall -Wextra -Werror", "--run-under", Self.emulator,
                                                       "--keep", "\(tmp)/neon"]))
        let source = try String(contentsOfFile: "\(tmp)/neon/tiny.c", encoding: .utf8)
        #expect(source.contains("m2_gemm_tile_neon("), "the neon micro-kernel is not in the verified build")
        let harness = try Subprocess.run(["file", "\(tmp)/neon/tiny_harness"])
        #expect(harness.status != 0 || harness.stdout.contains("aarch64"), "the harness is not an AArch64 program: \(harness.stdout)")
    }

    @Test("commands that would run kernels this machine lacks refuse them, saying what to do instead",
          .enabled(if: CPUISA.native() != .neon))
    func foreignKernelsAreRefused() throws {
        let (model, weights, golden) = try Fixtures.importedTiny(into: tmp)
        // run and bench load the library into m2c itself; verify without --run-under runs it here.
        #expect(try !m2c(["run", model] + weights + ["--random-inputs", "1", "--engine", "cpu", "--cpu-isa", "neon", "-o", "\(tmp)/out.safetensors"]))
        #expect(try !m2c(["bench", model, "--reps", "1", "--warmup-seconds", "0", "--no-sgemm", "--no-peak", "--cpu-isa", "neon"]))
        #expect(try !m2c(["verify", model] + weights + ["--golden", golden, "--cpu-isa", "neon"]))
        #expect(!FileManager.default.fileExists(atPath: "\(tmp)/out.safetensors"))
        // Compiling for another CPU is what --cpu-isa is for: allowed.
        #expect(try m2c(["compile", model] + weights + ["--cpu-isa", "neon", "-o", "\(tmp)/compiled"]))
        #expect(FileManager.default.fileExists(atPath: "\(tmp)/compiled/tiny.c"))
    }

    @Test func runUnderUsageErrors() throws {
        for args in [["--run-under", ""], ["--run-under", " "], ["--run-under", "qemu-aarch64", "--valgrind"],
                     ["--run-under", "qemu-aarch64", "--tune"], ["--run-under", "qemu-aarch64", "--target", "cuda"]] {
            #expect(throws: (any Error).self, "\(args)") { _ = try M2C.parseAsRoot(["verify", "m.m2"] + args) }
        }
    }
}
