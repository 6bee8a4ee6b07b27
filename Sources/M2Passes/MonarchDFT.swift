import M2Reference

/// Float64 tables of the Monarch DFT (semantics §8.1) and the FFT for compile-time spectra, both on
/// `ComplexDFT` (M2Reference), which also evaluates `monarch_conv` in the reference interpreter.
enum MonarchDFT {
    /// ω_n^{exponent} (conjugated for `inverse`).
    static func root(_ exponent: Int, of n: Int, inverse: Bool) -> (re: Double, im: Double) {
        ComplexDFT.root(exponent, of: n, inverse: inverse)
    }

    /// Rows `rows` × columns `columns` of the length-n DFT matrix F[r,c] = ω_n^{r·c}, row-major, split into
    /// real and imaginary parts (a leading sub-block: the pruned first stages use [n, n/2] and [n/2, n]).
    static func matrix(size n: Int, rows: Int, columns: Int, inverse: Bool) -> (re: [Double], im: [Double]) {
        var re = [Double](repeating: 0, count: rows * columns), im = re
        for r in 0..<rows {
            for c in 0..<columns {
                let w = root(r * c, of: n, inverse: inverse)
                re[r * columns + c] = w.re
                im[r * columns + c] = w.im
            }
        }
        return (re, im)
    }

    /// The natural-order forward DFT X[k] = Σ_n x[n]·ω_N^{kn} (any length; `ComplexDFT.transform`).
    static func fft(re: [Double], im: [Double]) -> (re: [Double], im: [Double]) {
        ComplexDFT.transform(re: re, im: im)
    }
}
