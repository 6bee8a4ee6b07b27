import Foundation
import M2IR
import M2Weights

/// Executes an un-lowered IR graph in Float64, op by op, following each op's documented semantics
/// (direct long convolution, exact GELU, biased LayerNorm variance, bounds-checked gather). It is the
/// numerical ground truth that compiled code is compared against, so clarity beats speed, but the
/// kernels stream memory and use all cores so that debug-build tests stay fast.
public struct ReferenceInterpreter {
    public let graph: Graph
    public let weights: WeightStore?

    public init(graph: Graph, weights: WeightStore?) {
        self.graph = graph
        self.weights = weights
    }

    /// Runs the graph for `batch` items. `inputs` maps an input name to Int32 values of shape
    /// [batch] + the input's static shape (row-major); an input with a "default" annotation may be
    /// omitted and is then filled with that value. Returns every graph output, probes included.
    /// Ops that no output depends on are skipped.
    public func run(inputs: [String: [Int32]], batch: Int) throws(InterpreterError) -> [String: Tensor64] {
        try run(inputValues: inputs.mapValues { $0.map(Double.init) }, batch: batch)
    }

    /// As `run(inputs:batch:)` for inputs of any element type (f32 inputs of non-BERT models), given as Float64.
    public func run(inputValues inputs: [String: [Double]], batch: Int) throws(InterpreterError) -> [String: Tensor64] {
        guard batch >= 1 else { throw .invalidBatch(batch) }
        let declared = graph.inputs.compactMap { op -> String? in
            if case .input(let name) = op.kind { return name } else { return nil }
        }
        for name in inputs.keys.sorted() where !declared.contains(name) {
            throw .unknownInput(name: name, known: declared)
        }

        let (outputValues, live, lastUse) = Self.liveness(graph)
        try Self.refuseIfPastMemory(Self.peakBytes(graph, batch: batch, live: live, lastUse: lastUse, kept: outputValues),
                                    batch: batch)

        var values: [ValueID: Tensor64] = [:]
        var types: [ValueID: TensorType] = [:]
        var producers: [ValueID: Op] = [:]
        for (i, op) in graph.ops.enumerated() where live.contains(op.result) {
            let result: Tensor64
            switch op.kind {
            case .input(let name):
                result = try inputTensor(op, name: name, supplied: inputs[name], batch: batch)
            case .weight(let key):
                result = try Self.weightTensor(key: key, type: op.type, from: weights)
            default:
                var operands: [Tensor64] = []
                var operandTypes: [TensorType] = []
                for v in op.operands {
                    guard let t = values[v], let type = types[v] else {
                        throw .invalidOperands(op: Self.describe(op), reason: "operand \(v) is not defined before this op")
                    }
                    operands.append(t)
                    operandTypes.append(type)
                }
                do {
                    result = try Self.evaluate(op, operands: operands, operandTypes: operandTypes, batch: batch)
                } catch .tokenIdOutOfRange(_, let item, let position, let value, let rows) {
                    // Name the bad ids after the run-time input they came from when there is one.
                    let idsOp = op.operands.count > 1 ? producers[op.operands[1]] : nil
                    var idsName = "ids of \(Self.describe(op))"
                    if let idsOp, case .input(let name) = idsOp.kind { idsName = name }
                    throw .tokenIdOutOfRange(input: idsName, batchItem: item, position: position, value: value, tableRows: rows)
                }
            }
            values[op.result] = result
            types[op.result] = op.type
            producers[op.result] = op
            for v in Set(op.operands) where lastUse[v] == i && !outputValues.contains(v) {
                values[v] = nil
                types[v] = nil
                producers[v] = nil
            }
        }

        var results: [String: Tensor64] = [:]
        for output in graph.outputs {
            guard let t = values[output.value] else {
                throw .invalidOperands(op: "output '\(output.name)'", reason: "value \(output.value) is not defined by any op")
            }
            results[output.name] = t
        }
        return results
    }

    /// The most bytes of values that `run` holds at once at `batch`: each value as Float64 from its op until its
    /// last use (outputs until the end), the same liveness `run` frees by. Infinite when a size overflows.
    /// Checked before anything is allocated, so an absurd batch is an error instead of a failed allocation.
    public func peakBytes(batch: Int) -> Double {
        let (kept, live, lastUse) = Self.liveness(graph)
        return Self.peakBytes(graph, batch: batch, live: live, lastUse: lastUse, kept: kept)
    }

    /// The check `run` makes before it allocates anything, for callers that draw random inputs first:
    /// batchTooLarge when `batch` items' Float64 values cannot fit this machine's memory.
    public func checkMemory(batch: Int) throws(InterpreterError) {
        try Self.refuseIfPastMemory(peakBytes(batch: batch), batch: batch)
    }

    private static func refuseIfPastMemory(_ peak: Double, batch: Int) throws(InterpreterError) {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard peak <= memory else { throw .batchTooLarge(batch: batch, peakBytes: peak, memoryBytes: memory) }
    }

    /// The values `run` keeps to the end (the outputs), the values it computes (only ops that reach an output run:
    /// dead weights, e.g. left behind by constant folding, need not exist in the store), and each value's last
    /// use, after which it is freed, so a deep model holds only the activations still needed.
    private static func liveness(_ graph: Graph) -> (kept: Set<ValueID>, live: Set<ValueID>, lastUse: [ValueID: Int]) {
        let kept = Set(graph.outputs.map(\.value))
        var live = kept
        for op in graph.ops.reversed() where live.contains(op.result) { live.formUnion(op.operands) }
        var lastUse: [ValueID: Int] = [:]
        for (i, op) in graph.ops.enumerated() where live.contains(op.result) { for v in op.operands { lastUse[v] = i } }
        return (kept, live, lastUse)
    }

    private static func peakBytes(_ graph: Graph, batch: Int, live: Set<ValueID>, lastUse: [ValueID: Int],
                                  kept: Set<ValueID>) -> Double {
        var bytes: [ValueID: Double] = [:]
        var now = 0.0, peak = 0.0
        for (i, op) in graph.ops.enumerated() where live.contains(op.result) {
            // Doubles, so no product overflows: a batch of 10^12 is merely a large number of bytes.
            let elements = op.type.shape.reduce(1.0) { $0 * Double($1) } * (op.type.batched ? Double(batch) : 1)
            bytes[op.result] = elements * 8
            now += elements * 8
            peak = max(peak, now)
            for v in Set(op.operands) where lastUse[v] == i && !kept.contains(v) { now -= bytes[v] ?? 0 }
        }
        return peak
    }

    private func inputTensor(_ op: Op, name: String, supplied: [Double]?, batch: Int) throws(InterpreterError) -> Tensor64 {
        let shape = (op.type.batched ? [batch] : []) + op.type.shape
        let count = shape.reduce(1, *)
        if let supplied {
            guard supplied.count == count else {
                throw .inputShapeMismatch(name: name, expected: shape, found: supplied.count)
            }
            return Tensor64(shape: shape, values: supplied)
        }
        switch op.annotations["default"] {
        case .int(let v): return Tensor64(shape: shape, values: [Double](repeating: Double(v), count: count))
        case .double(let v): return Tensor64(shape: shape, values: [Double](repeating: v, count: count))
        default: throw .missingInput(name: name)
        }
    }

    /// The weight `key` as a Float64 tensor of `type` (which must match the stored shape exactly).
    public static func weightTensor(key: String, type: TensorType, from weights: WeightStore?) throws(InterpreterError) -> Tensor64 {
        guard let weights, let stored = weights.shape(of: key) else { throw .missingWeight(key: key) }
        guard stored == type.shape else { throw .weightShapeMismatch(key: key, expected: type.shape, found: stored) }
        let values: [Double]
        do {
            values = try weights.doubles(key)
        } catch {
            throw .unreadableWeight(key: key, reason: error.description)
        }
        guard values.count == type.elementCount else {
            throw .unreadableWeight(key: key, reason: "\(values.count) values for shape \(stored)")
        }
        return Tensor64(shape: stored, values: values)
    }
}
