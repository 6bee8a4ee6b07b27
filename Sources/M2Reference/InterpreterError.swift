import M2IR
import M2Support

/// Why the reference interpreter could not produce a result. Every case names the input, weight or op
/// involved so a user can find it in the model.
public enum InterpreterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A run-time input without a "default" annotation was not supplied.
    case missingInput(name: String)
    /// A supplied input that the graph does not declare (usually a typo).
    case unknownInput(name: String, known: [String])
    /// The flat input array does not hold `expected` (batch first) elements.
    case inputShapeMismatch(name: String, expected: [Int], found: Int)
    /// A token id outside the embedding table; `position` is the flat index within one batch item.
    case tokenIdOutOfRange(input: String, batchItem: Int, position: Int, value: Int, tableRows: Int)
    case missingWeight(key: String)
    case weightShapeMismatch(key: String, expected: [Int], found: [Int])
    /// The weight exists but its data cannot be read (bad dtype, truncated file, …).
    case unreadableWeight(key: String, reason: String)
    /// The batch size must be at least 1.
    case invalidBatch(Int)
    /// At this batch size the Float64 values live at once would need more than the machine's memory.
    case batchTooLarge(batch: Int, peakBytes: Double, memoryBytes: Double)
    /// An op the interpreter cannot evaluate in this position (e.g. a run-time input while constant folding).
    case unsupportedOp(op: String, reason: String)
    /// Operands that violate the op's rules (the graph was not verified, or a pass broke it).
    case invalidOperands(op: String, reason: String)

    public var description: String {
        switch self {
        case .missingInput(let n):
            return "missing input '\(n)' (it has no default)"
        case .unknownInput(let n, let known):
            return "unknown input '\(n)'; the graph's inputs are \(known.map { "'\($0)'" }.joined(separator: ", "))"
        case .inputShapeMismatch(let n, let e, let f):
            return "input '\(n)' needs \(e.reduce(1, *)) values (shape \(e)), got \(f)"
        case .tokenIdOutOfRange(let n, let b, let p, let v, let rows):
            return "input '\(n)': id \(v) at batch item \(b), position \(p) is outside the table's \(rows) rows"
        case .missingWeight(let k):
            return "missing weight '\(k)'"
        case .weightShapeMismatch(let k, let e, let f):
            return "weight '\(k)' has shape \(f), the graph expects \(e)"
        case .unreadableWeight(let k, let r):
            return "cannot read weight '\(k)': \(r)"
        case .invalidBatch(let b):
            return "batch size must be at least 1, got \(b)"
        case .batchTooLarge(let b, let peak, let memory):
            return "batch \(b) needs \(ByteCount.gib(peak)) of Float64 values in the reference interpreter, more than this "
                + "machine's \(ByteCount.gib(memory)) of memory; use a smaller batch"
        case .unsupportedOp(let op, let r):
            return "cannot evaluate \(op): \(r)"
        case .invalidOperands(let op, let r):
            return "\(op): \(r)"
        }
    }
}
