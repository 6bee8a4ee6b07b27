/// Which outputs each value is computed for.
extension Graph {
    /// `result[v]` holds the indices into `outputs` (of those `include` accepts) whose value is `v` or is computed
    /// from `v`; a value no accepted output reads has no entry. One backward walk over `ops`, which are in
    /// execution order, so every reader of a value is visited before the op that defines it.
    /// Targets use it to skip, at run time, the ops that feed only outputs the caller did not ask for.
    public func outputDependence(where include: (GraphOutput) -> Bool = { _ in true }) -> [ValueID: Set<Int>] {
        var result: [ValueID: Set<Int>] = [:]
        for (index, out) in outputs.enumerated() where include(out) { result[out.value, default: []].insert(index) }
        for op in ops.reversed() {
            guard let readers = result[op.result] else { continue }
            for operand in op.operands { result[operand, default: []].formUnion(readers) }
        }
        return result
    }
}
