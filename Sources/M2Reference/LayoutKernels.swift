/// Data movement: transpose, slice, concat. All axes here index the FULL shape (batch included).
enum LayoutKernels {
    /// result.shape[i] = x.shape[perm[i]].
    static func transpose(_ x: Tensor64, perm: [Int]) -> Tensor64 {
        let rank = x.shape.count
        let outShape = perm.map { x.shape[$0] }
        var srcStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { srcStrides[d] = srcStrides[d + 1] * x.shape[d + 1] }
        // Stride in the source of each result axis; the last result axis is the inner loop.
        let strides = perm.map { srcStrides[$0] }
        guard rank > 0, !x.values.isEmpty else { return Tensor64(shape: outShape, values: x.values) }
        let inner = outShape[rank - 1], innerStride = strides[rank - 1]
        let rows = x.values.count / inner
        var out = [Double](repeating: 0, count: x.values.count)
        x.values.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                parallelFor(rows, costPerItem: inner) { range in
                    for row in range {
                        var rest = row, src = 0
                        for d in stride(from: rank - 2, through: 0, by: -1) {
                            src += (rest % outShape[d]) * strides[d]
                            rest /= outShape[d]
                        }
                        let base = row * inner
                        var j = 0
                        while j < inner {
                            po[base + j] = px[src + j * innerStride]
                            j += 1
                        }
                    }
                }
            }
        }
        return Tensor64(shape: outShape, values: out)
    }

    /// x with its last two axes exchanged ([..., a, b] → [..., b, a]).
    static func swapLastTwoAxes(_ x: Tensor64) -> Tensor64 {
        let rank = x.shape.count
        return transpose(x, perm: Array(0..<(rank - 2)) + [rank - 1, rank - 2])
    }

    static func slice(_ x: Tensor64, axis: Int, start: Int, end: Int) -> Tensor64 {
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let extent = x.shape[axis], width = end - start
        var shape = x.shape
        shape[axis] = width
        var out = [Double]()
        out.reserveCapacity(outer * width * inner)
        for o in 0..<outer {
            let from = (o * extent + start) * inner
            out.append(contentsOf: x.values[from..<(from + width * inner)])
        }
        return Tensor64(shape: shape, values: out)
    }

    /// Concatenation along `axis`. An unbatched part (`batched[i] == false`) in a batched result is
    /// repeated for every batch item; `staticAxis` indexes the static dims.
    static func concat(_ parts: [Tensor64], batched: [Bool], staticAxis: Int, batch: Int?) -> Tensor64 {
        let resultBatched = batched.contains(true)
        let items = resultBatched ? (batch ?? 1) : 1
        let staticShapes = zip(parts, batched).map { $1 ? Array($0.shape.dropFirst()) : $0.shape }
        let first = staticShapes[0]
        let outer = first[..<staticAxis].reduce(1, *)
        let inner = first[(staticAxis + 1)...].reduce(1, *)
        let total = staticShapes.reduce(0) { $0 + $1[staticAxis] }
        var shape = first
        shape[staticAxis] = total
        var out = [Double]()
        out.reserveCapacity(items * outer * total * inner)
        for item in 0..<items {
            for o in 0..<outer {
                for (i, part) in parts.enumerated() {
                    let chunk = staticShapes[i][staticAxis] * inner
                    let perItem = outer * chunk
                    let from = (batched[i] ? item * perItem : 0) + o * chunk
                    out.append(contentsOf: part.values[from..<(from + chunk)])
                }
            }
        }
        return Tensor64(shape: (resultBatched ? [items] : []) + shape, values: out)
    }
}
