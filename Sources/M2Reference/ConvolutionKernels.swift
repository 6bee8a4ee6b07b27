/// The two sequence convolutions of the M2 mixer, evaluated directly (no FFT) per the op docs.
enum ConvolutionKernels {
    /// Causal depthwise conv: y[c, i] = bias[c] + Σ_k W[c, k] · x[c, i − (taps−1) + k], x[c, j<0] = 0.
    static func shortConv(x: Tensor64, weight: Tensor64, bias: Tensor64?, taps: Int) -> Tensor64 {
        let rank = x.shape.count
        let channels = x.shape[rank - 2], length = x.shape[rank - 1]
        let sequences = x.values.count / Swift.max(length, 1)
        var out = [Double](repeating: 0, count: x.values.count)
        x.values.withUnsafeBufferPointer { px in
            weight.values.withUnsafeBufferPointer { pw in
                out.withUnsafeMutableBufferPointer { po in
                    parallelFor(sequences, costPerItem: length * taps) { range in
                        for seq in range {
                            let c = seq % channels
                            let b = bias?.values[c] ?? 0
                            let base = seq * length
                            for i in 0..<length {
                                var sum = b
                                for k in 0..<taps {
                                    let j = i - (taps - 1) + k
                                    if j >= 0 { sum += pw[c * taps + k] * px[base + j] }
                                }
                                po[base + i] = sum
                            }
                        }
                    }
                }
            }
        }
        return Tensor64(shape: x.shape, values: out)
    }

    /// y[h,i] = Σ_{j≤i} kFwd[h,i−j]·x[h,j] + Σ_{j>i} kRev[h,j−i−1]·x[h,j] + D[h]·x[h,i]
    /// (the reverse and skip terms only when given). O(L²) per channel: the reference, not the fast path.
    static func longConv(x: Tensor64, kFwd: Tensor64, kRev: Tensor64?, skip: Tensor64?) -> Tensor64 {
        let rank = x.shape.count
        let channels = x.shape[rank - 2], length = x.shape[rank - 1]
        let sequences = x.values.count / Swift.max(length, 1)
        guard length > 0 else { return x }

        // kFwd reversed per channel, so that Σ_{j≤i} kFwd[i−j]·x[j] walks both arrays forward:
        // kFwd[i−j] = reversed[L−1−i+j].
        var reversed = [Double](repeating: 0, count: kFwd.values.count)
        for h in 0..<channels {
            for n in 0..<length { reversed[h * length + length - 1 - n] = kFwd.values[h * length + n] }
        }

        var out = [Double](repeating: 0, count: x.values.count)
        x.values.withUnsafeBufferPointer { px in
            reversed.withUnsafeBufferPointer { pf in
                (kRev?.values ?? []).withUnsafeBufferPointer { pr in
                    out.withUnsafeMutableBufferPointer { po in
                        parallelFor(sequences, costPerItem: length * length) { range in
                            for seq in range {
                                let h = seq % channels
                                let xs = px.baseAddress! + seq * length
                                let fwd = pf.baseAddress! + h * length
                                // An empty array may still have a base address: test for the kernel itself.
                                let rev = kRev == nil ? nil : pr.baseAddress.map { $0 + h * length }
                                let d = skip?.values[h] ?? 0
                                for i in 0..<length {
                                    var sum = 0.0
                                    let f = fwd + (length - 1 - i)
                                    var j = 0
                                    while j <= i {
                                        sum += f[j] * xs[j]
                                        j += 1
                                    }
                                    if let rev {
                                        // j = i+1 … L−1 uses kRev[0 …]: both walk forward.
                                        let xr = xs + (i + 1)
                                        var m = 0
                                        while m < length - 1 - i {
                                            sum += rev[m] * xr[m]
                                            m += 1
                                        }
                                    }
                                    po[seq * length + i] = sum + d * xs[i]
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor64(shape: x.shape, values: out)
    }
}
