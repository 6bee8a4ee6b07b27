import M2IR

/// LayerNorm and single-axis reductions.
enum NormalizationKernels {
    /// LayerNorm over the last axis with the biased variance: (x − mean)/√(var + eps)·gamma + beta.
    static func layerNorm(x: Tensor64, gamma: Tensor64, beta: Tensor64, eps: Double) -> Tensor64 {
        let d = x.shape.last ?? 1
        let rows = d == 0 ? 0 : x.values.count / d
        var out = [Double](repeating: 0, count: x.values.count)
        x.values.withUnsafeBufferPointer { px in
            gamma.values.withUnsafeBufferPointer { pg in
                beta.values.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        parallelFor(rows, costPerItem: d * 4) { range in
                            for row in range {
                                let base = row * d
                                var mean = 0.0
                                for k in 0..<d { mean += px[base + k] }
                                mean /= Double(d)
                                var variance = 0.0
                                for k in 0..<d {
                                    let c = px[base + k] - mean
                                    variance += c * c
                                }
                                variance /= Double(d)
                                let inv = 1 / (variance + eps).squareRoot()
                                for k in 0..<d { po[base + k] = (px[base + k] - mean) * inv * pg[k] + pb[k] }
                            }
                        }
                    }
                }
            }
        }
        return Tensor64(shape: x.shape, values: out)
    }

    /// Reduces the FULL-shape axis `axis` (the caller offsets static axes past the batch dim).
    static func reduce(_ fn: ReduceFn, x: Tensor64, axis: Int) -> Tensor64 {
        let outer = x.shape[..<axis].reduce(1, *)
        let extent = x.shape[axis]
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        var shape = x.shape
        shape.remove(at: axis)
        var out = [Double](repeating: fn == .max ? -.infinity : 0, count: outer * inner)
        x.values.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                for o in 0..<outer {
                    for k in 0..<extent {
                        let src = (o * extent + k) * inner
                        for i in 0..<inner {
                            let v = px[src + i]
                            switch fn {
                            case .sum, .mean: po[o * inner + i] += v
                            // NaN wins, as in torch.max.
                            case .max: if v.isNaN || v > po[o * inner + i] { po[o * inner + i] = v }
                            }
                        }
                    }
                }
                if fn == .mean {
                    for i in 0..<po.count { po[i] /= Double(extent) }
                }
            }
        }
        return Tensor64(shape: shape, values: out)
    }
}
