import M2Reference

/// The compile-time spectrum of an M2 long convolution (semantics §3.6, §4): per channel the length-2L kernel
///
///     K[h, n] = k_fwd[h, n] (+ D[h] at n = 0)     for n < L
///     K[h, n] = k_rev[h, 2L−1−n] (bidirectional)  for n ≥ L, else 0
///
/// transformed with the unnormalised DFT and scaled by 1/N (the inverse transform's normalisation, folded
/// here so it costs nothing at run time). Because the input is zero-padded to N = 2L and only outputs < L are
/// kept, the circular convolution with K equals the direct sum of §3.7 exactly, D-skip included.
struct LongConvSpectrum {
    /// Real and imaginary parts, [H, N] in natural frequency order.
    let re: [Double]
    let im: [Double]
    let channels: Int
    let length: Int

    init(forward kFwd: [Double], reverse kRev: [Double]?, skip d: [Double]?, channels: Int, sequenceLength l: Int) {
        let n = 2 * l
        self.channels = channels
        length = n
        var re = [Double](repeating: 0, count: channels * n), im = re
        let scale = 1 / Double(n)
        let roots = MonarchDFT.roots(of: n)
        func kernel(_ h: Int) -> [Double] {
            var kernel = [Double](repeating: 0, count: n)
            guard h < channels else { return kernel }
            for i in 0..<l { kernel[i] = kFwd[h * l + i] }
            if let kRev { for i in l..<n { kernel[i] = kRev[h * l + (n - 1 - i)] } }
            if let d { kernel[0] += d[h] }
            return kernel
        }
        // Kernels are real, so one complex FFT transforms two channels: with z = a + i·b and Z = DFT(z),
        // A[k] = (Z[k] + conj Z[−k]) / 2 and B[k] = (Z[k] − conj Z[−k]) / 2i. Pairs run in parallel; each
        // writes only its own two rows.
        re.withUnsafeMutableBufferPointer { reOut in
            im.withUnsafeMutableBufferPointer { imOut in
                nonisolated(unsafe) let (reOut, imOut) = (reOut, imOut)
                parallelFor((channels + 1) / 2, costPerItem: n * 16) { pairs in
                    for pair in pairs {
                        let (h0, h1) = (2 * pair, 2 * pair + 1)
                        let z = MonarchDFT.fft(re: kernel(h0), im: kernel(h1), roots: roots)
                        for k in 0..<n {
                            let m = (n - k) % n
                            let (zr, zi, cr, ci) = (z.re[k], z.im[k], z.re[m], -z.im[m])
                            reOut[h0 * n + k] = (zr + cr) / 2 * scale
                            imOut[h0 * n + k] = (zi + ci) / 2 * scale
                            guard h1 < channels else { continue }
                            // (Z − conj Z[−k]) / 2i: (x + iy)/(2i) = (y − ix)/2.
                            reOut[h1 * n + k] = (zi - ci) / 2 * scale
                            imOut[h1 * n + k] = -(zr - cr) / 2 * scale
                        }
                    }
                }
            }
        }
        self.re = re
        self.im = im
    }

    /// The spectrum laid out by `frequencyAt`: position p of each channel's row holds frequency frequencyAt[p].
    func permuted(_ frequencyAt: [Int]) -> (re: [Double], im: [Double]) {
        var pre = [Double](repeating: 0, count: re.count), pim = pre
        for h in 0..<channels {
            for (p, k) in frequencyAt.enumerated() {
                pre[h * length + p] = re[h * length + k]
                pim[h * length + p] = im[h * length + k]
            }
        }
        return (pre, pim)
    }
}
