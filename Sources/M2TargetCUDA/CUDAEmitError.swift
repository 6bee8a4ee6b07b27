import M2TargetCPU

/// Why a graph could not be turned into a CUDA library. Every case names the op, value, tensor or file involved.
public enum CUDAEmitError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An op (with its value and IR name) or shape the CUDA target does not implement, and why.
    case unsupported(op: String, reason: String)
    /// A template is missing, or one of its placeholders was left without a value.
    case template(name: String, reason: String)
    /// The library name is not a C identifier.
    case invalidName(String)
    /// Planning or weight packing failed in the shared (CPU target) machinery: its message.
    case planning(String)

    public var description: String {
        switch self {
        case .unsupported(let op, let r): return "\(op): not supported by the CUDA target: \(r)"
        case .template(let n, let r): return "template \(n): \(r)"
        case .invalidName(let n): return "'\(n)' is not a valid library name (use letters, digits and '_', not starting with a digit)"
        case .planning(let m): return m
        }
    }

    /// The CUDA error for a failure of the shared CPU-target code (execution plan, interface, .m2w writer).
    init(_ error: CPUEmitError) {
        switch error {
        case .unsupported(let op, let reason): self = .unsupported(op: op, reason: reason)
        case .template(let name, let reason): self = .template(name: name, reason: reason)
        case .invalidName(let name): self = .invalidName(name)
        default: self = .planning(error.description)
        }
    }
}
