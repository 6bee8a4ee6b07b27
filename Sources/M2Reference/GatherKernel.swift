/// Embedding lookup with bounds checking: an id outside the table is an error, never a silent read.
enum GatherKernel {
    /// `ids` holds whole numbers (Int32 inputs widened to Double); `itemSize` is the number of ids per
    /// batch item, used to report where a bad id sits. `idsName` names the ids for the error.
    static func run(table: Tensor64, ids: Tensor64, itemSize: Int, idsName: String) throws(InterpreterError) -> Tensor64 {
        let rows = table.shape[0], dim = table.shape[1]
        var out = [Double](repeating: 0, count: ids.values.count * dim)
        for (n, raw) in ids.values.enumerated() {
            guard raw.isFinite, raw >= 0, raw < Double(rows), raw == raw.rounded(.towardZero) else {
                let per = Swift.max(itemSize, 1)
                throw .tokenIdOutOfRange(input: idsName, batchItem: n / per, position: n % per,
                                         value: raw.isNaN ? Int.min : Int(Swift.max(Swift.min(raw, 1e18), -1e18)), tableRows: rows)
            }
            let r = Int(raw)
            out.replaceSubrange((n * dim)..<((n + 1) * dim), with: table.values[(r * dim)..<((r + 1) * dim)])
        }
        return Tensor64(shape: ids.shape + [dim], values: out)
    }
}
