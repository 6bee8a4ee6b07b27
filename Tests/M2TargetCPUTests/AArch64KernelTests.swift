import Foundation
import M2IR
import M2TargetCPU
import Testing

/// The neon micro-kernels, and the portable C ones on a CPU that is not x86, built by an AArch64 cross compiler
/// with warnings as errors and run under qemu-aarch64: every --tune candidate round of the GEMM and GLU kernel
/// cases against the Float64 reference, and the GELU (its AArch64 FMA path) against the exact value.
@Suite("AArch64 kernels (neon, portable C) under qemu-aarch64", .serialized,
       .enabled(if: CrossAArch64.available, Comment(rawValue: CrossAArch64.missing)))
struct AArch64KernelTests {
    static let flags = "-O2 -Wall -Wextra -Werror -std=c11"

    @Test("every candidate round of the GEMM cases and GLU epilogues, neon and portable C (OpenMP; machine and tiny caches)")
    func everyCandidateRound() throws {
        let rounds = TileChoiceTests()
        for isa in [CPUISA.neon, .generic] {
            for caches in [CacheSizes.defaults, GemmKernelTests.tinyCaches] {
                try rounds.checkEveryRound(try GemmKernelTests.model(), name: "gemm_cases", caches: caches, cflags: Self.flags,
                                           isa: isa, compiler: CrossAArch64.compiler, runner: CrossAArch64.runner)
                try rounds.checkEveryRound(try GLUEpilogueTests.model(), name: "glu_epilogues", caches: caches, cflags: Self.flags,
                                           isa: isa, compiler: CrossAArch64.compiler, runner: CrossAArch64.runner)
            }
        }
    }

    @Test("clang --target=aarch64-linux-gnu compiles the neon library -Wall -Wextra -Werror too",
          .enabled(if: CHarness.hasCompiler("clang")))
    func clangCompilesNeon() throws {
        let model = try GemmKernelTests.model()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "neon_clang",
                                          options: CPUEmitOptions(isa: .neon, gemm: .m2c, caches: .defaults))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-neon-clang-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        try library.write(to: directory.path)
        let sysroot = "/usr/aarch64-linux-gnu"
        let output = try CHarness.shell("clang --target=aarch64-linux-gnu --sysroot=\(sysroot) -isystem \(sysroot)/include "
                                        + "\(Self.flags) -fPIC -c neon_clang.c -o neon_clang.o", in: directory)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("neon_clang.o").path), "\(output)")
    }

    @Test("bench's FMA-peak program has an AArch64 path: 4 lanes, a positive rate")
    func fmaPeakProgram() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-fma-peak-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try BenchmarkSources.fmaPeak().write(to: directory.appendingPathComponent("fma_peak.c"), atomically: true, encoding: .utf8)
        try CHarness.shell("\(CrossAArch64.compiler) -O2 -pthread -Wall -Wextra -Werror fma_peak.c -o fma_peak", in: directory)
        let output = try CHarness.shell((CrossAArch64.runner + ["./fma_peak", "1"]).joined(separator: " "), in: directory)
        let fields = output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        #expect(fields.count == 2 && fields[1] == 4 && fields[0] > 0, "fma_peak printed '\(output)'")
    }

    @Test("GELU with AArch64's fused multiply-add: unary, glu and a GEMM epilogue within the x86 builds' tolerance")
    func geluAccuracy() throws {
        try GeluAccuracyTests.checkGrid(compiler: CrossAArch64.compiler, flags: "-O3 -Wall -Wextra -Werror -std=c11",
                                        options: CPUEmitOptions(isa: .neon, gemm: .m2c, caches: .defaults),
                                        runner: CrossAArch64.runner)
    }
}

/// What an x86 compiler says of a --cpu-isa neon library (no cross tools needed).
@Suite("neon source on an x86 compiler")
struct NeonOnX86Tests {
    @Test("the neon kernels' source says what it needs when an x86 compiler meets it", .enabled(if: EmulatedX86.isHost))
    func neonOnAnotherCompilerIsAClearError() throws {
        let model = try GemmKernelTests.model()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "neon_x86",
                                          options: CPUEmitOptions(isa: .neon, gemm: .m2c, caches: .defaults))
        do {
            let harness = try CHarness(library, compiler: "gcc")
            harness.remove()
            Issue.record("an x86 gcc built the neon kernels")
        } catch {
            #expect("\(error)".contains("these kernels are AArch64's"), "\(error)")
        }
    }
}
