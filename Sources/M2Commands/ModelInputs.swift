import M2IR
import M2Weights

/// Inputs for one forward: name → values laid out [batch][input shape] (token ids are i32 inputs,
/// carried here as exact Float64 values; non-BERT models may have f32 inputs).
public struct ModelInputs: Sendable {
    public var batch: Int
    public var tensors: [String: [Double]]

    /// Reads the graph's inputs from a safetensors file (golden io files hold input_ids, token_type_ids and
    /// attention_mask as I32 [B, L]). An input with a default may be absent; a present one must have shape [B, …].
    public static func read(_ file: SafetensorsFile, for graph: Graph) throws(InputError) -> ModelInputs {
        var tensors: [String: [Double]] = [:]
        var batch: Int?
        for op in graph.inputs {
            guard case .input(let name) = op.kind else { continue }
            let dims = op.type.shape.map(String.init).joined(separator: ", ")
            guard let shape = file.shape(of: name) else {
                if op.annotations["default"] != nil { continue }
                throw InputError("\(file.origin): missing input tensor '\(name)' (expected i32[B, \(dims)])")
            }
            guard shape.count == op.type.rank + 1, Array(shape.dropFirst()) == op.type.shape else {
                throw InputError("\(file.origin): input '\(name)' has shape \(shape), the model expects [B, \(dims)]")
            }
            if let b = batch, b != shape[0] {
                throw InputError("\(file.origin): input '\(name)' has batch \(shape[0]) but another input has batch \(b)")
            }
            batch = shape[0]
            do {
                tensors[name] = op.type.dtype == .i32 ? try file.int32s(name).map(Double.init) : try file.floats(name).map(Double.init)
            } catch {
                throw InputError("\(file.origin): input '\(name)': \(error.description)")
            }
        }
        guard let b = batch else { throw InputError("\(file.origin): none of the model's inputs is present") }
        guard b >= 1 else { throw InputError("\(file.origin): batch size is 0") }
        return ModelInputs(batch: b, tensors: tensors)
    }

    /// Deterministic random inputs for every input without a default: token ids in [0, vocab) for i32 inputs,
    /// values in [−1, 1) for f32 inputs.
    public static func random(for graph: Graph, batch: Int, vocab: Int, seed: UInt64) -> ModelInputs {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var tensors: [String: [Double]] = [:]
        for op in graph.inputs where op.annotations["default"] == nil {
            guard case .input(let name) = op.kind else { continue }
            let count = batch * op.type.elementCount
            tensors[name] = op.type.dtype == .i32
                ? (0..<count).map { _ in Double(next() % UInt64(max(1, vocab))) }
                : (0..<count).map { _ in Double(next() >> 11) / Double(1 << 52) - 1 }
        }
        return ModelInputs(batch: batch, tensors: tensors)
    }
}

extension ModelInputs {
    /// Every input of `graph`, absent ones filled with their declared default (for callers that cannot pass NULL).
    public func completed(for graph: Graph) -> ModelInputs {
        var all = self
        for op in graph.inputs {
            guard case .input(let name) = op.kind, all.tensors[name] == nil else { continue }
            let fill: Double
            switch op.annotations["default"] {
            case .int(let v): fill = Double(v)
            case .double(let v): fill = v
            default: continue
            }
            all.tensors[name] = [Double](repeating: fill, count: batch * op.type.elementCount)
        }
        return all
    }

    /// Rows of the table the first i32 input indexes (its token vocabulary), for random ids; 2 when unknown.
    public static func vocabulary(of graph: Graph) -> Int {
        guard let ids = graph.inputs.first(where: { $0.type.dtype == .i32 })?.result else { return 2 }
        for op in graph.ops {
            if case .gather = op.kind, op.operands.count == 2, op.operands[1] == ids,
               let rows = graph.type(of: op.operands[0])?.shape.first { return rows }
        }
        return 2
    }
}

public struct InputError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
