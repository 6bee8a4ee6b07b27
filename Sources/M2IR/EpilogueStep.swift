/// One step of a `fused_matmul` epilogue, applied to every element of the block-diagonal product in step order.
public enum EpilogueStep: Hashable, Sendable {
    /// Adds an operand f32[outFeatures] (unbatched) to every row.
    case bias
    /// Adds an operand of the result's type, element by element (a residual connection).
    case residual
    /// Applies an element-wise function.
    case unary(UnaryFn)

    /// The step's name in the textual IR: `bias`, `residual`, or the function's mnemonic (`gelu`).
    public var spelling: String {
        switch self {
        case .bias: return "bias"
        case .residual: return "residual"
        case .unary(let f): return f.rawValue
        }
    }

    public init?(spelling: String) {
        switch spelling {
        case "bias": self = .bias
        case "residual": self = .residual
        default:
            guard let f = UnaryFn(rawValue: spelling) else { return nil }
            self = .unary(f)
        }
    }

    /// Whether the step reads an operand (bias and residual do; they follow x and W in step order).
    public var takesOperand: Bool {
        switch self {
        case .bias, .residual: return true
        case .unary: return false
        }
    }
}
