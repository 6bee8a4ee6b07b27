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
        for h in 0..<channels {
            var kernel = [Double](repeating: 0, count: n)
            for i in 0..<l { kernel[i] = kFwd[h * l + i] }
            if let kRev { for i in l..<n { kernel[i] = kRev[h * l + (n - 1 - i)] } }
            if let d { kernel[0] += d[h] }
            let spectrum = MonarchDFT.fft(re: kernel, im: [Double](repeating: 0, count: n))
            for k in 0..<n {
                re[h * n + k] = spectrum.re[k] * scale
                im[h * n + k] = spectrum.im[k] * scale
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
