import Foundation
import M2Passes
import Testing
@testable import M2Commands

/// bench/longconv/bench.sh end to end for one tiny, non-power-of-two size: weights, the three m2c compiles
/// (fused monarch_conv, --no-fusion Monarch-FFT, --long-conv direct), the FFTW driver, its output cross-check
/// and its table. Timings are
/// not asserted; the factorization and the nominal flop counts the driver reports are checked against m2c's.
/// Needs the m2c executable beside the test binary (`swift build` / scripts/test.sh build it) and FFTW3
/// (scripts/setup.sh installs libfftw3-dev).
@Suite("long-convolution benchmark")
struct LongConvBenchTests {
    static let sequenceLength = 24, channels = 3

    /// The m2c executable SwiftPM built into the same directory as this test binary.
    static var m2cExecutable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("m2c")
    }

    @Test func benchmarkRunsEndToEndForATinySize() throws {
        let m2c = Self.m2cExecutable
        try #require(FileManager.default.isExecutableFile(atPath: m2c.path), "no m2c executable at \(m2c.path): run swift build first")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-longconv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }

        let script = Fixtures.repoRoot.appendingPathComponent("bench/longconv/bench.sh").path
        let result = try Subprocess.run([script, "--lengths", "\(Self.sequenceLength)", "--channels", "\(Self.channels)",
                                         "--threads", "1", "--min-time", "0.01", "--warmup", "0.01",
                                         "--work", work.path, "--m2c", m2c.path])
        try #require(result.status == 0, "bench.sh failed (exit \(result.status)):\n\(result.stderr)")

        // The libraries really are the three forms: --long-conv direct keeps the op, --no-fusion expands it, the
        // CPU pipeline fuses it.
        let compiled = work.appendingPathComponent("L\(Self.sequenceLength)")
        let directIR = try String(contentsOf: compiled.appendingPathComponent("direct/lc_direct.ir"), encoding: .utf8)
        let monarchIR = try String(contentsOf: compiled.appendingPathComponent("monarch/lc_monarch.ir"), encoding: .utf8)
        #expect(directIR.contains("long_conv"))
        #expect(!monarchIR.contains("long_conv") && monarchIR.contains("stage = \"product\""))
        let fusedIR = try String(contentsOf: compiled.appendingPathComponent("fused/lc_fused.ir"), encoding: .utf8)
        #expect(fusedIR.contains("monarch_conv") && !fusedIR.contains("long_conv") && !fusedIR.contains("blockdiag_matmul"))

        let plan = try MonarchFactorization.cheapest(for: 2 * Self.sequenceLength)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let rows = lines.filter { $0.hasPrefix("| \(Self.sequenceLength) |") }
        try #require(rows.count == 1, "one table row expected:\n\(result.stdout)")
        let cells = rows[0].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells.count == 14)
        #expect(cells[1] == "1")
        // The fused kernel's factorization comes from its own cost model; the cell names both when they differ.
        let fusedPlan = try MonarchFactorization.cheapest(for: 2 * Self.sequenceLength, model: CPUFusedMonarchCostModel())
        #expect(cells[2] == (fusedPlan == plan ? plan.description : "\(fusedPlan) (expanded \(plan))"))
        // Four methods × (ms per layer, GFLOP/s), then the three ratios: all positive numbers.
        for cell in cells[3...] {
            let value = try #require(Double(cell), "not a number: '\(cell)' in \(rows[0])")
            #expect(value > 0, "\(rows[0])")
        }

        let flops = MonarchFlopCount(plan)
        let expected = "flops/channel: monarch \(flops.total) radix2 \(MonarchFlopCount.radix2(length: 2 * Self.sequenceLength)) "
            + "direct \(MonarchFlopCount.direct(sequenceLength: Self.sequenceLength))"
        #expect(lines.contains { $0.hasSuffix(expected) }, "expected a note ending in '\(expected)':\n\(result.stdout)")
        #expect(lines.contains { $0.contains("rel L2 vs direct") }, "\(result.stdout)")
    }
}
