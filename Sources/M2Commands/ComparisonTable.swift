import Foundation
import M2Reference

/// The per-tensor comparison table printed by `m2c run --compare` (and later `m2c verify`):
/// max|out − ref| ≤ tol · std(ref), with the relative L2 error beside it (../shared/golden/README.md).
public struct ComparisonTable {
    public struct Row {
        public var name: String
        public var metrics: ErrorMetrics?
        public var tolerance: Double
        /// Why there is no comparison (shape mismatch, missing tensor).
        public var problem: String?
        public var passed: Bool { problem == nil && (metrics.map { $0.passes(tolerance: tolerance) } ?? false) }
    }

    public var rows: [Row] = []
    public init() {}

    public var passed: Bool { !rows.isEmpty && rows.allSatisfy(\.passed) }

    public mutating func add(_ name: String, output: [Double], outputShape: [Int], reference: [Double], referenceShape: [Int], tolerance: Double) {
        guard outputShape == referenceShape else {
            rows.append(Row(name: name, metrics: nil, tolerance: tolerance,
                            problem: "shape \(outputShape) vs reference \(referenceShape)"))
            return
        }
        rows.append(Row(name: name, metrics: ErrorMetrics.compare(output, reference), tolerance: tolerance, problem: nil))
    }

    public func render() -> String {
        let width = max(6, rows.map(\.name.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        var out = "\(pad("output", width))  \(pad("max abs err", 11))  \(pad("rel L2 err", 10))  \(pad("max/std", 9))  \(pad("tol", 6))  result\n"
        for r in rows {
            if let m = r.metrics, r.problem == nil {
                out += "\(pad(r.name, width))  \(pad(String(format: "%.3e", m.maxAbs), 11))  \(pad(String(format: "%.3e", m.relL2), 10))  "
                out += "\(pad(String(format: "%.2e", m.maxAbsOverStd), 9))  \(pad(String(format: "%.0e", r.tolerance), 6))  \(r.passed ? "PASS" : "FAIL")\n"
            } else {
                out += "\(pad(r.name, width))  FAIL: \(r.problem ?? "no result")\n"
            }
        }
        return out
    }
}
