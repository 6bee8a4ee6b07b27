import Foundation

/// The `--profile` tables of `m2c bench`: per-op totals of a -DM2_PROFILE library turned into per-forward
/// times, rates and shares, by op (slowest first) and grouped by op kind.
struct ProfileReport {
    var ops: [BenchRecord.ProfileRow]
    var kinds: [BenchRecord.ProfileRow]

    /// `entries` accumulated over `forwards` timed forwards.
    init(_ entries: [GeneratedLibrary.ProfileEntry], forwards: Int) {
        let n = Double(max(1, forwards))
        let total = entries.reduce(0) { $0 + $1.seconds }
        func row(_ op: String, _ label: String, seconds: Double, flops: Double) -> BenchRecord.ProfileRow {
            BenchRecord.ProfileRow(op: op, label: label, msPerForward: seconds / n * 1e3, gflopPerForward: flops / n * 1e-9,
                                   gflops: seconds > 0 ? flops / seconds * 1e-9 : 0, share: total > 0 ? seconds / total : 0)
        }
        ops = entries.map { row($0.kind, $0.label, seconds: $0.seconds, flops: $0.flops) }
        var byKind: [String: (seconds: Double, flops: Double, count: Int)] = [:]
        for e in entries {
            let k = byKind[e.kind, default: (0, 0, 0)]
            byKind[e.kind] = (k.seconds + e.seconds, k.flops + e.flops, k.count + 1)
        }
        kinds = byKind.map { row($0.key, "\($0.value.count) ops", seconds: $0.value.seconds, flops: $0.value.flops) }
            .sorted { $0.msPerForward > $1.msPerForward }
    }

    /// The slowest `top` ops (all when 0), then the op kinds.
    func render(top: Int) -> String {
        let slowest = ops.sorted { $0.msPerForward > $1.msPerForward }
        let shown = top > 0 ? Array(slowest.prefix(top)) : slowest
        var text = "  per op (slowest first):\n" + table(shown, labelTitle: "op (IR name, value, type)")
        if shown.count < slowest.count {
            let rest = slowest.dropFirst(shown.count)
            let share = rest.reduce(0) { $0 + $1.share }
            text += "    … \(rest.count) more ops, \(percent(share)) of the time (--profile-top 0 shows all)\n"
        }
        text += "  by op kind:\n" + table(kinds, labelTitle: "ops")
        return text
    }

    private func table(_ rows: [BenchRecord.ProfileRow], labelTitle: String) -> String {
        let kindWidth = max(4, rows.map(\.op.count).max() ?? 0)
        var text = "    " + pad("kind", kindWidth) + "  " + left("ms/fwd", 9) + left("GFLOP/s", 9) + left("share", 7) + "  \(labelTitle)\n"
        for r in rows {
            text += "    " + pad(r.op, kindWidth) + "  " + left(String(format: "%.3f", r.msPerForward), 9)
                + left(String(format: "%.1f", r.gflops), 9) + left(percent(r.share), 7) + "  \(r.label)\n"
        }
        return text
    }

    private func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
    private func pad(_ s: String, _ w: Int) -> String { s.padding(toLength: max(w, s.count), withPad: " ", startingAt: 0) }
    private func left(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
}
