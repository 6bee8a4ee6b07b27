import M2IR
import M2Support
import M2Weights

/// Finds NaN and infinite values in the weights a graph uses. A checkpoint with a diverged or corrupted
/// tensor otherwise compiles and runs, and only its outputs are wrong: every one of them NaN.
public enum NonFiniteWeights {
    /// One diagnostic per floating-point tensor holding non-finite values, sorted by key, naming the tensor,
    /// its file, the counts and the first index: a warning, or an error when `strict`.
    public static func check(_ graph: Graph, against store: WeightStore, strict: Bool) -> [Diagnostic] {
        var found: [(key: String, diagnostic: Diagnostic)] = []
        var checked: Set<String> = []
        for op in graph.ops {
            guard case .weight(let key) = op.kind, checked.insert(key).inserted,
                  store.dtype(of: key)?.isFloatingPoint == true,
                  let values = try? store.floats(key) else { continue }
            var nans = 0, infinities = 0
            var first: Int?
            for (i, v) in values.enumerated() where !v.isFinite {
                if v.isNaN { nans += 1 } else { infinities += 1 }
                if first == nil { first = i }
            }
            guard let first else { continue }
            let origin = store.source(of: key)?.origin ?? "the weights"
            let message = "tensor '\(key)' in \(origin) has \(nans) NaN and \(infinities) infinite value(s) (first at flat index \(first))"
            let hint = strict ? "the checkpoint is corrupted or its training diverged" : "outputs that depend on it will be NaN or infinite; --strict makes this an error"
            let range = op.location.map { SourceRange($0, length: 1) }
            found.append((key, Diagnostic(strict ? .error : .warning, message, at: range, hint: hint)))
        }
        return found.sorted { $0.key < $1.key }.map(\.diagnostic)
    }
}
