import M2IR

/// Why a graph could not be turned into a C library. Every case names the op, value, tensor or file involved.
public enum CPUEmitError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The library name is not a C identifier.
    case invalidName(String)
    /// An op or type the CPU target does not implement (with the op's name and why).
    case unsupported(op: String, reason: String)
    case missingWeight(key: String)
    case weightShapeMismatch(key: String, expected: [Int], found: [Int])
    case unreadableWeight(key: String, reason: String)
    /// A template is missing, or one of its placeholders was left without a value.
    case template(name: String, reason: String)
    case cannotWrite(path: String, reason: String)
    /// A matmul's `tile` (and `kernel`) annotation, from an IR file or `--tune`, that its kernel cannot run.
    case invalidTile(value: String, tile: String, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let n): return "'\(n)' is not a valid library name (use letters, digits and '_', not starting with a digit)"
        case .unsupported(let op, let r): return "\(op): not supported by the CPU target: \(r)"
        case .missingWeight(let k): return "weight '\(k)' is not in the weights"
        case .weightShapeMismatch(let k, let e, let f): return "weight '\(k)' has shape \(f), the graph expects \(e)"
        case .unreadableWeight(let k, let r): return "weight '\(k)' cannot be read: \(r)"
        case .template(let n, let r): return "template \(n): \(r)"
        case .cannotWrite(let p, let r): return "\(p): cannot write: \(r)"
        case .invalidTile(let v, let t, let r): return "\(v): tile '\(t)': \(r)"
        }
    }
}
