import Foundation
import M2IR
import M2TargetCPU

/// Peak resident memory of one forward, measured out of process (the harness reports getrusage's maximum
/// RSS; in process it would include the compiler's own memory), against what the static memory plan says the
/// library needs: the weights image (read whole at open), the statics computed at open, and the activation
/// arena of batch × NAME_ARENA_BYTES_PER_ITEM. Issue 5's bound is peak ≤ weights + 1.5 × arena; the statics are
/// weight-derived, so they count with the weights.
struct MemoryMeasurement: Codable, Equatable {
    var peakRssBytes: Int
    var weightsBytes: Int
    var staticsBytes: Int
    var arenaBytes: Int

    /// weights + statics + 1.5 × arena.
    var budgetBytes: Int { weightsBytes + staticsBytes + arenaBytes * 3 / 2 }
    /// peak / budget: ≤ 1 meets the bound.
    var budgetRatio: Double { Double(peakRssBytes) / Double(max(1, budgetBytes)) }

    enum CodingKeys: String, CodingKey {
        case peakRssBytes = "peak_rss_bytes"
        case weightsBytes = "weights_bytes"
        case staticsBytes = "statics_bytes"
        case arenaBytes = "arena_bytes"
        case budgetBytes = "budget_bytes"
        case budgetRatio = "budget_ratio"
    }

    init(peakRssBytes: Int, weightsBytes: Int, staticsBytes: Int, arenaBytes: Int) {
        self.peakRssBytes = peakRssBytes
        self.weightsBytes = weightsBytes
        self.staticsBytes = staticsBytes
        self.arenaBytes = arenaBytes
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        peakRssBytes = try c.decode(Int.self, forKey: .peakRssBytes)
        weightsBytes = try c.decode(Int.self, forKey: .weightsBytes)
        staticsBytes = try c.decode(Int.self, forKey: .staticsBytes)
        arenaBytes = try c.decode(Int.self, forKey: .arenaBytes)
    }

    /// The stored terms plus the derived budget and ratio, so a JSON reader needs no formula.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(peakRssBytes, forKey: .peakRssBytes)
        try c.encode(weightsBytes, forKey: .weightsBytes)
        try c.encode(staticsBytes, forKey: .staticsBytes)
        try c.encode(arenaBytes, forKey: .arenaBytes)
        try c.encode(budgetBytes, forKey: .budgetBytes)
        try c.encode(budgetRatio, forKey: .budgetRatio)
    }

    /// Builds `NAME_harness` in `directory` (already emitted, .m2w included) and runs one forward of `inputs`.
    static func measure(directory: String, name: String, graph: Graph, emitted: EmittedLibrary, inputs: ModelInputs,
                        threads: Int, compiler: String?, cflags: String?) throws -> MemoryMeasurement {
        var harness = HarnessRunner(directory: directory, name: name, threads: threads)
        harness.wrapper = ["M2C_HARNESS_RSS=1"]   // Subprocess runs through /usr/bin/env, which sets it
        try harness.build(compiler: compiler, cflags: cflags)
        let log = try harness.forwardWithLog(graph: graph, inputs: inputs.completed(for: graph).tensors, batch: inputs.batch).stderr
        guard let peak = peakRSS(in: log) else {
            throw GeneratedLibrary.Failure(description: "\(name)_harness printed no peak_rss_bytes line (stderr: \(log))")
        }
        return MemoryMeasurement(peakRssBytes: peak, weightsBytes: emitted.files["\(name).m2w"]?.count ?? 0,
                                 staticsBytes: emitted.staticsBytes, arenaBytes: emitted.arenaBytesPerItem * inputs.batch)
    }

    static func peakRSS(in log: String) -> Int? {
        for line in log.split(separator: "\n") where line.hasPrefix("peak_rss_bytes=") {
            return Int(line.dropFirst("peak_rss_bytes=".count))
        }
        return nil
    }

    /// One line for the bench table.
    var summary: String {
        func mib(_ b: Int) -> String { String(format: "%.1f MiB", Double(b) / 1_048_576) }
        return "  memory: peak RSS \(mib(peakRssBytes)); plan: weights \(mib(weightsBytes)) + statics \(mib(staticsBytes)) "
            + "+ arena \(mib(arenaBytes)); peak / (weights + statics + 1.5 × arena) = \(String(format: "%.2f", budgetRatio))"
    }
}
