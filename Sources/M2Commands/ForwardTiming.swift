import Foundation

/// Wall-clock samples of repeated forwards: an untimed warm-up (caches, page faults, OpenMP thread start,
/// CPU frequency), then `reps` timed calls.
struct ForwardTiming {
    var seconds: [Double]
    var warmupCalls: Int

    var median: Double {
        let s = seconds.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    var minimum: Double { seconds.min() ?? .nan }

    /// Runs `body` until `warmupSeconds` have passed (at least once), then `reps` more times, timing each.
    /// `afterWarmup` runs between the two phases (e.g. to reset profile counters).
    static func measure(warmupSeconds: Double, reps: Int, afterWarmup: () -> Void = {},
                        _ body: () throws -> Void) rethrows -> ForwardTiming {
        let start = now()
        var warm = 0
        repeat {
            try body()
            warm += 1
        } while now() - start < warmupSeconds
        afterWarmup()
        var samples: [Double] = []
        for _ in 0..<max(1, reps) {
            let t0 = now()
            try body()
            samples.append(now() - t0)
        }
        return ForwardTiming(seconds: samples, warmupCalls: warm)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }
}
