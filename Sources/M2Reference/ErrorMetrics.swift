/// How far an output is from a reference tensor, in the terms the golden fixtures' tolerances use:
/// `maxAbs / std(ref)` is held to a per-target bound, `relL2` is reported beside it.
public struct ErrorMetrics: Sendable, Hashable, CustomStringConvertible {
    /// max |out − ref|.
    public var maxAbs: Double
    /// ‖out − ref‖₂ / ‖ref‖₂ (0 when both are zero).
    public var relL2: Double
    /// Population standard deviation of the reference.
    public var std: Double
    /// maxAbs / std (0 when equal, infinite when the reference is constant and the output differs).
    public var maxAbsOverStd: Double

    public init(maxAbs: Double, relL2: Double, std: Double, maxAbsOverStd: Double) {
        self.maxAbs = maxAbs
        self.relL2 = relL2
        self.std = std
        self.maxAbsOverStd = maxAbsOverStd
    }

    /// Compares `out` with `ref` element by element. Arrays of different lengths cannot be compared:
    /// every metric is then infinite, so any tolerance check fails instead of crashing.
    public static func compare(_ out: [Double], _ ref: [Double]) -> ErrorMetrics {
        guard out.count == ref.count else {
            return ErrorMetrics(maxAbs: .infinity, relL2: .infinity, std: populationStd(ref), maxAbsOverStd: .infinity)
        }
        var maxAbs = 0.0, diff2 = 0.0, ref2 = 0.0
        for (o, r) in zip(out, ref) {
            let d = o - r
            // A NaN anywhere must fail, and max() would drop it.
            maxAbs = d.isNaN || maxAbs.isNaN ? .nan : Swift.max(maxAbs, Swift.abs(d))
            diff2 += d * d
            ref2 += r * r
        }
        let std = populationStd(ref)
        return ErrorMetrics(maxAbs: maxAbs,
                            relL2: ratio(diff2.squareRoot(), ref2.squareRoot()),
                            std: std,
                            maxAbsOverStd: ratio(maxAbs, std))
    }

    /// Whether `maxAbs ≤ tolerance · std(ref)` (false for NaN).
    public func passes(tolerance: Double) -> Bool { maxAbs <= tolerance * std }

    public var description: String {
        "maxAbs \(maxAbs), relL2 \(relL2), maxAbs/std \(maxAbsOverStd)"
    }

    private static func populationStd(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
        return variance.squareRoot()
    }

    private static func ratio(_ a: Double, _ b: Double) -> Double {
        if a == 0 { return 0 }
        return b == 0 ? .infinity : a / b
    }
}
