import M2IR
import M2Support

/// `assign-precision`: records on every op the precision its result is stored in on the CUDA target, so
/// `m2c ir --target cuda` and `--dump-ir` show it: `precision = "bf16"` (or "fp16", "fp32") for float values,
/// "i32" for ids. Where a 16-bit library still computes in float it says so: GEMMs and reductions
/// `accumulate = "fp32"`, LayerNorms `statistics = "fp32"`, Monarch convolutions `spectrum = "fp32"` (the
/// spectrum constant itself stays fp32). The CUDA emitter stores every float value in the library's precision;
/// these annotations document that choice per op and change no arithmetic.
public struct AssignPrecision: Pass {
    public let name = "assign-precision"
    public let summary = "Annotate each op with the precision the CUDA target stores it in (and where it still computes in fp32)."

    /// The storage precisions a library can have.
    public static let precisions = ["fp32", "bf16", "fp16"]

    public var precision: String

    public init(precision: String = "bf16") { self.precision = precision }

    public func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        guard Self.precisions.contains(precision) else {
            throw Diagnostic.error("assign-precision: unknown precision '\(precision)' (expected \(Self.precisions.joined(separator: ", ")))", at: nil)
        }
        let reduced = precision != "fp32"
        var keepFloat: Set<ValueID> = []
        for op in graph.ops where op.kind.mnemonic == "monarch_conv" {
            if let spectrum = op.operands.last { keepFloat.insert(spectrum) }
        }
        for i in graph.ops.indices {
            let op = graph.ops[i]
            let stored = op.type.dtype == .i32 ? "i32" : keepFloat.contains(op.result) ? "fp32" : precision
            graph.ops[i].annotations["precision"] = .string(stored)
            guard reduced else { continue }
            switch op.kind.mnemonic {
            case "blockdiag_matmul", "fused_matmul", "reduce_sum", "reduce_mean", "reduce_max":
                graph.ops[i].annotations["accumulate"] = .string("fp32")
            case "layer_norm", "add_layer_norm":
                graph.ops[i].annotations["statistics"] = .string("fp32")
            case "monarch_conv":
                graph.ops[i].annotations["spectrum"] = .string("fp32")
            default:
                break
            }
        }
    }
}
