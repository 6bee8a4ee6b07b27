import M2IR
import M2Reference
import M2Weights

/// Evaluates, at compile time, every op whose operands are all known (constants, and weights when the
/// context has a weight store) and replaces it by a `const` of the same type. This is how the implicit
/// Hyena filters (filter MLPs, modulation, transposes) become constant kernels. Ops keep their result
/// value, location and name; the weights and constants they consumed are left for dead-code elimination.
public struct FoldConstants: Pass {
    public init() {}

    public var name: String { "fold-constants" }
    public var summary: String { "evaluate ops whose operands are all constants or weights, replacing them by constants" }

    public func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        var lastUse: [ValueID: Int] = [:]
        for (i, op) in graph.ops.enumerated() { for v in op.operands { lastUse[v] = i } }

        // Values known at compile time. Weights are loaded only when an op is about to be folded with
        // them, and every known value is dropped after its last use, so large tables stay on disk.
        var known: [ValueID: Tensor64] = [:]
        var foldable: [ValueID: Op] = [:]
        for i in graph.ops.indices {
            let op = graph.ops[i]
            switch op.kind {
            case .constant:
                foldable[op.result] = op
            case .weight:
                if context.weights != nil { foldable[op.result] = op }
            case .input:
                break
            default:
                let producers = op.operands.compactMap { foldable[$0] }
                guard !op.type.batched, !op.operands.isEmpty, producers.count == op.operands.count else { break }
                var operands: [Tensor64] = []
                for (v, producer) in zip(op.operands, producers) {
                    operands.append(try knownValue(v, producer: producer, known: &known, weights: context.weights))
                }
                let value = try ReferenceInterpreter.evaluate(op, operands: operands, operandTypes: producers.map(\.type),
                                                              batch: nil)
                var annotations = op.annotations
                annotations["folded"] = .bool(true)
                let folded = Op(kind: .constant(ConstantData(value.values)), operands: [], result: op.result,
                                type: op.type, location: op.location, name: op.name, annotations: annotations)
                graph.ops[i] = folded
                foldable[op.result] = folded
                if lastUse[op.result] != nil { known[op.result] = value }
            }
            for v in Set(op.operands) where lastUse[v] == i { known[v] = nil }
        }
    }

    private func knownValue(_ v: ValueID, producer: Op, known: inout [ValueID: Tensor64],
                            weights: WeightStore?) throws -> Tensor64 {
        if let t = known[v] { return t }
        let t: Tensor64
        switch producer.kind {
        case .constant(let data): t = Tensor64(shape: producer.type.shape, values: data.values)
        case .weight(let key): t = try ReferenceInterpreter.weightTensor(key: key, type: producer.type, from: weights)
        default:
            // Every foldable producer is a leaf or an already folded constant, and those are in `known`.
            throw InterpreterError.unsupportedOp(op: producer.kind.mnemonic, reason: "not a compile-time constant")
        }
        known[v] = t
        return t
    }
}
