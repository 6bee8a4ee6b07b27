import M2IR

/// Whether a `monarch_conv` spectrum is the DFT of a real kernel: S[k] = conj S[N − k] for every channel. M2's
/// long convolutions always are (LongConvSpectrum builds them from real filters), and only then may the CPU
/// kernel transform two sequences as one complex signal (MonarchConvKernelPlan.pairsSequences): for a complex
/// kernel the real part of conv(a + i·b) mixes b into a.
enum HermitianSpectrum {
    /// Relative to the spectrum's largest magnitude: below float32's resolution of it, so a spectrum within
    /// this of Hermitian pairs to the same float results as an exact one.
    static let tolerance = 1e-7

    /// `values`: [2, channels, N] (real plane, imaginary plane), positions in the digit-reversed order of `factors`
    /// (MonarchSpectrumOrder).
    static func holds(_ values: [Double], channels: Int, factors: [Int]) -> Bool {
        let order = MonarchSpectrumOrder.frequencies(factors: factors), n = order.count
        guard n > 0, values.count == 2 * channels * n else { return false }
        var position = [Int](repeating: 0, count: n)
        for (p, frequency) in order.enumerated() { position[frequency] = p }
        let largest = values.reduce(0) { max($0, abs($1)) }
        guard largest.isFinite else { return false }
        let bound = tolerance * largest
        for h in 0..<channels {
            let re = h * n, im = (channels + h) * n
            for k in 0...(n / 2) {
                let (p, q) = (position[k], position[(n - k) % n])
                guard abs(values[re + p] - values[re + q]) <= bound, abs(values[im + p] + values[im + q]) <= bound else {
                    return false
                }
            }
        }
        return true
    }
}
