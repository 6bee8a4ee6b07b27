import Foundation
import Testing
@testable import M2Commands
import M2TargetCPU

/// Every golden fixture through `m2c verify` with each GEMM kernel choice: the micro-kernels of every ISA this
/// machine runs, and OpenBLAS.
@Suite("Compiled C vs golden fixtures, per GEMM kernel", .serialized)
struct GemmGoldenTests {
    let tmp = Fixtures.scratchDirectory("m2c-gemm-golden")

    /// The kernel flags to try: the ISAs this machine runs (portable C first), then OpenBLAS.
    static var kernelChoices: [[String]] {
        let isas = CPUISA.allCases.filter(\.runsHere).reversed().map(\.rawValue)
        return isas.map { ["--cpu-isa", $0] } + [["--gemm", "openblas"]]
    }

    @Test(arguments: ["tiny", "small", "plain", "base1"])
    func everyKernelChoice(_ fixture: String) throws {
        guard let config = Fixtures.golden(fixture, "config.json"), let w = Fixtures.golden(fixture, "weights.safetensors"),
              let p = Fixtures.golden(fixture, "pooler.safetensors"), let io = Fixtures.golden(fixture, "io.safetensors") else {
            #expect(fixture == "base1", "fixture \(fixture) missing")
            return
        }
        let model = "\(tmp)/\(fixture).m2"
        #expect(try m2c(["import", config.path, "-o", model]))
        for choice in Self.kernelChoices {
            let ok = try m2c(["verify", model, "--weights", w.path, "--weights", p.path, "--golden", io.path, "--threads", "2"] + choice)
            #expect(ok, "\(fixture) with \(choice.joined(separator: " "))")
        }
    }

    @Test func batchedRowsWithOpenBLASAndTheNativeKernels() throws {
        let config = try #require(Fixtures.golden("tiny", "config.json"))
        let w = try #require(Fixtures.golden("tiny", "weights.safetensors")), p = try #require(Fixtures.golden("tiny", "pooler.safetensors"))
        let model = "\(tmp)/tiny.m2"
        #expect(try m2c(["import", config.path, "-o", model]))
        for choice in [["--cpu-isa", "native"], ["--gemm", "openblas"]] {
            #expect(try m2c(["verify", model, "--weights", w.path, "--weights", p.path, "--batch", "5", "--threads", "2"] + choice))
        }
    }
}
