import M2IR
import M2Support
import M2Weights

/// Checks that a weight store provides every tensor a graph's `weight` ops name, with the shape and
/// kind of element type the model expects. Run before anything reads weight values, so that a wrong
/// checkpoint is reported once, completely, at the `.m2` lines that use each tensor.
public enum WeightBinding {
    /// Prefixes that checkpoints of the same model differ by (HF `bert.`, Lightning/Composer `model.`).
    static let checkpointPrefixes = ["model.", "bert."]

    /// Every problem found, sorted by key: missing tensors (with a hint naming the closest key present),
    /// shape mismatches, and element types of the wrong kind.
    public static func check(_ graph: Graph, against store: WeightStore) -> [Diagnostic] {
        var problems: [(key: String, diagnostic: Diagnostic)] = []
        var checked: Set<String> = []
        for op in graph.ops {
            guard case .weight(let key) = op.kind, checked.insert(key).inserted else { continue }
            guard store.contains(key) else {
                let message = "missing tensor '\(key)' (the model expects \(op.type))"
                problems.append((key, .error(message, at: op.location, hint: hint(forMissing: key, in: store))))
                continue
            }
            let origin = store.source(of: key)?.origin ?? "the weights"
            if let found = store.shape(of: key), found != op.type.shape {
                let message = "tensor '\(key)' in \(origin) has shape \(found), the model expects \(op.type.shape)"
                problems.append((key, .error(message, at: op.location)))
            }
            if let dtype = store.dtype(of: key), dtype.isFloatingPoint != (op.type.dtype == .f32) {
                let wanted = op.type.dtype == .f32 ? "a floating-point tensor" : "an integer tensor"
                let message = "tensor '\(key)' in \(origin) has dtype \(dtype.rawValue), the model expects \(wanted)"
                problems.append((key, .error(message, at: op.location)))
            }
        }
        // Stable sort: problems of one key keep their order (shape before dtype).
        return problems.enumerated()
            .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            .map(\.element.diagnostic)
    }

    /// Keys of the store that no `weight` op uses, sorted (worth a note: a config mismatch often shows here).
    public static func unusedKeys(_ graph: Graph, _ store: WeightStore) -> [String] {
        var used: Set<String> = []
        for op in graph.ops { if case .weight(let key) = op.kind { used.insert(key) } }
        return store.keys.filter { !used.contains($0) }
    }

    /// A key present that differs only by checkpoint prefixes, else the closest key by edit distance.
    static func hint(forMissing key: String, in store: WeightStore) -> String? {
        let bare = strippingPrefixes(key)
        if let twin = store.keys.first(where: { strippingPrefixes($0) == bare }) {
            let difference: String
            if twin.hasSuffix(key) {
                difference = "an extra prefix '\(twin.dropLast(key.count))'"
            } else if key.hasSuffix(twin) {
                difference = "no prefix '\(key.dropLast(twin.count))'"
            } else {
                difference = "a different 'model.'/'bert.' prefix"
            }
            return "the weights have '\(twin)', with \(difference)"
        }
        return closestMatch(to: key, in: store.keys).map { "did you mean '\($0)'?" }
    }

    private static func strippingPrefixes(_ key: String) -> Substring {
        var rest = Substring(key)
        while let p = checkpointPrefixes.first(where: { rest.hasPrefix($0) }) { rest = rest.dropFirst(p.count) }
        return rest
    }
}
