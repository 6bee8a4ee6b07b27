/// One step of a `fused_matmul` epilogue, applied to every element of the block-diagonal product in step order.
public enum EpilogueStep: Hashable, Sendable {
    /// Adds an operand f32[outFeatures] (unbatched) to every row.
    case bias
    /// Adds an operand of the result's type, element by element (a residual connection).
    case residual
    /// Applies an element-wise function.
    case unary(UnaryFn)
    /// The gated linear unit of the product so far (the last step only): of its M columns, column i of the
    /// M/2-wide result is f(column i) · column M/2 + i — what `glu(f)` of the matmul computes, without the
    /// M-wide product ever reaching memory.
    case glu(UnaryFn)

    /// The step's name in the textual IR: `bias`, `residual`, or the function's mnemonic (`gelu`).
    public var spelling: String {
        switch self {
        case .bias: return "bias"
        case .residual: return "residual"
        case .unary(let f): return f.rawValue
        case .glu(let f): return Self.gluPrefix + f.rawValue
        }
    }

    static let gluPrefix = "glu_"

    public init?(spelling: String) {
        switch spelling {
        case "bias": self = .bias
        case "residual": self = .residual
        case _ where spelling.hasPrefix(Self.gluPrefix):
            guard let f = UnaryFn(rawValue: String(spelling.dropFirst(Self.gluPrefix.count))) else { return nil }
            self = .glu(f)
        default:
            guard let f = UnaryFn(rawValue: spelling) else { return nil }
            self = .unary(f)
        }
    }

    /// Whether the step reads an operand (bias and residual do; they follow x and W in step order).
    public var takesOperand: Bool {
        switch self {
        case .bias, .residual: return true
        case .unary, .glu: return false
        }
    }

    /// Whether the step is a gated linear unit (it halves the product's last axis).
    public var isGLU: Bool {
        if case .glu = self { return true }
        return false
    }
}
