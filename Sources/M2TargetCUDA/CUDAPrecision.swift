/// Storage and math precision of the CUDA target's kernels (`--precision`).
/// fp32: float storage, float math (SIMT FMA; no tensor cores). bf16 / fp16: activations and weights stored
/// in 16 bits, tensor-core products (WMMA / mma.sync) with float accumulation; reductions (LayerNorm
/// statistics, softmax-free here) and the Monarch spectrum product accumulate in float.
public enum CUDAPrecision: String, CaseIterable, Sendable {
    case fp32, bf16, fp16

    /// The C++ storage type of activations and weights in device memory.
    public var storageType: String {
        switch self {
        case .fp32: return "float"
        case .bf16: return "__nv_bfloat16"
        case .fp16: return "__half"
        }
    }

    /// Whether products run on tensor cores.
    public var usesTensorCores: Bool { self != .fp32 }
}
