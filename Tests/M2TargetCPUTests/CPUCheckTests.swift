import Foundation
import M2IR
import M2TargetCPU
import Testing

/// A library compiled for an instruction set the CPU lacks: open returns ERR_UNSUPPORTED_CPU with a message
/// instead of the first forward dying of SIGILL. The older CPUs are qemu-x86_64's emulated models (Haswell: AVX2
/// and FMA, no AVX-512; qemu64: neither), so the check runs on the real cpuid path, not a test switch.
@Suite("CPU target: open refuses a CPU without the kernels' instruction set (qemu-x86_64 CPU models)", .serialized,
       .enabled(if: EmulatedX86.available, "SKIPPED: qemu-x86_64 not found or this is not an x86-64 machine — run scripts/setup.sh (Debian: qemu-user)"))
struct CPUCheckTests {
    static let cflags = "-O2 -Wall -Wextra -Werror -std=c11"

    /// What `NAME_open` returns for the GEMM cases compiled for `isa`, on qemu's `cpu` model (nil: this machine).
    static func openResult(isa: CPUISA, cpu: String?) throws -> String {
        let model = try GemmKernelTests.model()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "cpu_check",
                                          options: CPUEmitOptions(isa: isa, gemm: .m2c, caches: .defaults))
        let harness = try CHarness(library, compiler: "gcc", cflags: Self.cflags, openMP: false,
                                   runner: cpu.map { ["qemu-x86_64", "-cpu", $0] } ?? [])
        defer { harness.remove() }
        let driver = try harness.driver("""
        #include <stdio.h>
        #include "cpu_check.h"
        int main(int argc, char **argv) {
            (void)argc;
            cpu_check_model *m = NULL;
            int rc = cpu_check_open(argv[1], &m);
            printf("rc %d, %s: %s\\n", rc, cpu_check_error_string(rc), rc ? cpu_check_last_error(m) : "");
            cpu_check_close(m);
            return 0;
        }
        """)
        let (status, output) = try harness.run(driver, [harness.weightsPath])
        #expect(status == 0, "\(output)")
        return output.split(separator: "\n").first { $0.hasPrefix("rc ") }.map(String.init) ?? output
    }

    @Test("avx512 code on an emulated Haswell, avx2 code on qemu64: ERR_UNSUPPORTED_CPU naming the ISA")
    func missingInstructionsAreRefused() throws {
        for (isa, cpu) in [(CPUISA.avx512, "Haswell"), (.avx2, "qemu64")] {
            let result = try Self.openResult(isa: isa, cpu: cpu)
            #expect(result.hasPrefix("rc 11, compiled for an instruction set this CPU lacks: "), "\(isa) on \(cpu): \(result)")
            #expect(result.contains("compiled for \(isa.rawValue) (m2c --cpu-isa \(isa.rawValue))"), "\(result)")
        }
    }

    @Test("the kernels a CPU has open on it: avx2 on Haswell, portable C on qemu64, and the native ISA here")
    func presentInstructionsOpen() throws {
        for (isa, cpu) in [(CPUISA.avx2, "Haswell" as String?), (.generic, "qemu64"), (CPUISA.native(), nil)] {
            let result = try Self.openResult(isa: isa, cpu: cpu)
            #expect(result.hasPrefix("rc 0, ok"), "\(isa) on \(cpu ?? "this machine"): \(result)")
        }
    }

    @Test("every tile candidate of the avx2 kernels computes the GEMM and GLU cases on an emulated Haswell (no AVX-512)")
    func avx2KernelsNeedNoAVX512() throws {
        let rounds = TileChoiceTests(), haswell = ["qemu-x86_64", "-cpu", "Haswell"]
        try rounds.checkEveryRound(try GemmKernelTests.model(), name: "gemm_cases", caches: .defaults, cflags: Self.cflags,
                                   isa: .avx2, runner: haswell)
        try rounds.checkEveryRound(try GLUEpilogueTests.model(), name: "glu_epilogues", caches: .defaults, cflags: Self.cflags,
                                   isa: .avx2, runner: haswell)
    }
}
