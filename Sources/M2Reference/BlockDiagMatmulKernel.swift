import M2IR

/// `blockdiag_matmul`: y[..., b·q + r] = Σ_s W[b, r, s] · x[..., b·p + s], with x zero-padded to nb·p
/// and y truncated to `outFeatures`.
enum BlockDiagMatmulKernel {
    static func run(x: Tensor64, weight: Tensor64, weightShape: [Int], outFeatures m: Int) -> Tensor64 {
        let (nb, q, p) = weightShape.count == 2
            ? (1, weightShape[0], weightShape[1])
            : (weightShape[0], weightShape[1], weightShape[2])
        let n = x.shape.last ?? 1
        let rows = n == 0 ? 0 : x.values.count / n
        let full = nb * q

        // Wt[b, s, r] = W[b, r, s]: the innermost loop then walks one contiguous output block (i-k-j order).
        var wt = [Double](repeating: 0, count: nb * p * q)
        weight.values.withUnsafeBufferPointer { w in
            wt.withUnsafeMutableBufferPointer { t in
                for b in 0..<nb {
                    for r in 0..<q {
                        for s in 0..<p { t[(b * p + s) * q + r] = w[(b * q + r) * p + s] }
                    }
                }
            }
        }

        var out = [Double](repeating: 0, count: rows * m)
        x.values.withUnsafeBufferPointer { px in
            wt.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    parallelFor(rows, costPerItem: full * p) { range in
                        let acc = UnsafeMutablePointer<Double>.allocate(capacity: full)
                        defer { acc.deallocate() }
                        for row in range {
                            acc.initialize(repeating: 0, count: full)
                            let xrow = px.baseAddress! + row * n
                            for b in 0..<nb {
                                let block = acc + b * q
                                // Features beyond n are the zero padding: they contribute nothing.
                                let inputs = Swift.min(p, n - b * p)
                                var s = 0
                                while s < inputs {
                                    let xv = xrow[b * p + s]
                                    let wrow = pw.baseAddress! + (b * p + s) * q
                                    var r = 0
                                    while r < q {
                                        block[r] += xv * wrow[r]
                                        r += 1
                                    }
                                    s += 1
                                }
                            }
                            (po.baseAddress! + row * m).update(from: acc, count: m)
                        }
                    }
                }
            }
        }
        return Tensor64(shape: Array(x.shape.dropLast()) + [m], values: out)
    }
}
