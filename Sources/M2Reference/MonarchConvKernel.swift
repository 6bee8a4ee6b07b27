import M2IR

/// `monarch_conv` in Float64: y = conv(x ⊙ g1) ⊙ g2 + r, the convolution through the op's spectrum (the
/// first L samples of IDFT_N(DFT_N(x zero-padded to N) ⊙ spectrum), 1/N already in the spectrum).
enum MonarchConvKernel {
    static func run(x: Tensor64, preGate g1: Tensor64?, postGate g2: Tensor64?, residual r: Tensor64?,
                    spectrum: Tensor64, factors: [Int]) -> Tensor64 {
        let rank = x.shape.count
        let channels = x.shape[rank - 2], length = x.shape[rank - 1], n = 2 * length
        let rows = x.values.count / Swift.max(length, 1)
        // Back from the stored digit-reversed order to natural frequency order.
        var natural = [Double](repeating: 0, count: 2 * channels * n)
        for (position, frequency) in MonarchSpectrumOrder.frequencies(factors: factors).enumerated() {
            for part in 0..<2 {
                for h in 0..<channels {
                    natural[(part * channels + h) * n + frequency] = spectrum.values[(part * channels + h) * n + position]
                }
            }
        }
        var out = [Double](repeating: 0, count: x.values.count)
        out.withUnsafeMutableBufferPointer { po in
            parallelFor(rows, costPerItem: n * 64) { range in
                for row in range {
                    let h = row % channels, base = row * length
                    var re = [Double](repeating: 0, count: n)
                    for i in 0..<length { re[i] = x.values[base + i] * (g1?.values[base + i] ?? 1) }
                    var f = ComplexDFT.transform(re: re, im: [Double](repeating: 0, count: n))
                    for k in 0..<n {
                        let (a, b) = (f.re[k], f.im[k])
                        let (c, d) = (natural[h * n + k], natural[(channels + h) * n + k])
                        f.re[k] = a * c - b * d
                        f.im[k] = a * d + b * c
                    }
                    let y = ComplexDFT.transform(re: f.re, im: f.im, inverse: true).re
                    for i in 0..<length {
                        po[base + i] = y[i] * (g2?.values[base + i] ?? 1) + (r?.values[base + i] ?? 0)
                    }
                }
            }
        }
        return Tensor64(shape: x.shape, values: out)
    }
}
