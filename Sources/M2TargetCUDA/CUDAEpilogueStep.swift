import M2IR

/// One step applied to a GEMM's accumulated value before it is stored, in order: the CUDA kernels' form of the
/// fusion contract's `EpilogueStep` of `fused_matmul` (`.bias`: + an f32[M] operand per column; `.residual`:
/// + an operand of the result's shape; `.unary`: an element-wise function). A plain `blockdiag_matmul` has none.
public enum CUDAEpilogueStep: Hashable, Sendable {
    case bias
    case residual
    case unary(UnaryFn)

    /// The kernel's form of an IR epilogue step; nil for a GLU (the CUDA GEMM finishes each column on its
    /// own, and the CUDA pipeline does not form `glu_*` epilogues).
    init?(_ step: EpilogueStep) {
        switch step {
        case .bias: self = .bias
        case .residual: self = .residual
        case .unary(let f): self = .unary(f)
        case .glu: return nil
        }
    }

    /// At most this many steps per GEMM (the kernels' template parameters).
    public static let maxSteps = 4

    /// Whether the step reads an operand (the op's operands after x and W, in step order).
    var takesOperand: Bool {
        switch self {
        case .bias, .residual: return true
        case .unary: return false
        }
    }

    /// The `m2_epilogue_step` code of Templates/cuda/gemm.cuh.tmpl.
    var code: String {
        switch self {
        case .bias: return "M2_E_BIAS"
        case .residual: return "M2_E_RESIDUAL"
        case .unary(let f): return "M2_E_UNARY + \(unaryCode(f))"
        }
    }
}

/// The `m2_unary_fn` constant of Templates/cuda/common.cuh.tmpl.
func unaryCode(_ f: UnaryFn) -> String { "M2_U_" + f.rawValue.uppercased() }
