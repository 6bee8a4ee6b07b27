import Foundation

/// Float64 tables of the Monarch DFT (semantics §8.1) and a mixed-radix FFT for compile-time spectra.
/// ω_n = e^{−2πi/n} (forward); the inverse uses the conjugate. Exponents are reduced mod n before the
/// angle is formed, so large products k·m lose no accuracy.
public enum MonarchDFT {
    /// ω_n^{exponent} (conjugated for `inverse`).
    public static func root(_ exponent: Int, of n: Int, inverse: Bool) -> (re: Double, im: Double) {
        let e = ((exponent % n) + n) % n
        // Quarter turns exactly (1, ∓i, −1, ±i), so DFT tables hold true zeros and no −0.0.
        if (4 * e) % n == 0 {
            let quarter = [(1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (0.0, 1.0)][4 * e / n]
            return (quarter.0, inverse ? -quarter.1 + 0 : quarter.1)
        }
        let angle = 2 * Double.pi * Double(e) / Double(n)
        return (cos(angle), inverse ? sin(angle) : 0 - sin(angle))
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

    /// The natural-order DFT X[k] = Σ_n x[n]·ω_N^{kn} by recursive decimation in time on the smallest prime
    /// factor (direct sum for a prime length). Cost N·Σ(prime factors), so any length the chooser accepts is fast.
    /// The roots come from one table of ω_N^j (j < N) shared by every level: a sub-transform of length m reads
    /// ω_m^t = ω_N^{t·N/m}, so trigonometric functions run N times, not N·Σ(prime factors) times.
    static func fft(re: [Double], im: [Double]) -> (re: [Double], im: [Double]) {
        let n = re.count
        guard n > 1 else { return (re, im) }
        return fft(re: re, im: im, roots: roots(of: n), rootStride: 1)
    }

    /// ω_n^j for j < n: build once and pass to `fft(re:im:roots:)` when transforming many rows of one length.
    static func roots(of n: Int) -> [(re: Double, im: Double)] { (0..<n).map { root($0, of: n, inverse: false) } }

    /// `fft(re:im:)` with a precomputed `roots(of: re.count)`.
    static func fft(re: [Double], im: [Double], roots: [(re: Double, im: Double)]) -> (re: [Double], im: [Double]) {
        precondition(roots.count == re.count, "root table of length \(roots.count) for a transform of length \(re.count)")
        return fft(re: re, im: im, roots: roots, rootStride: 1)
    }

    /// One level: `roots[j·rootStride]` is ω_n^j for this sub-transform's length n.
    private static func fft(re: [Double], im: [Double], roots: [(re: Double, im: Double)],
                            rootStride: Int) -> (re: [Double], im: [Double]) {
        let n = re.count
        guard n > 1 else { return (re, im) }
        let radix = smallestPrimeFactor(n)
        var outRe = [Double](repeating: 0, count: n), outIm = outRe
        if radix == n {
            for k in 0..<n {
                for j in 0..<n {
                    let w = roots[(j * k % n) * rootStride]
                    outRe[k] += re[j] * w.re - im[j] * w.im
                    outIm[k] += re[j] * w.im + im[j] * w.re
                }
            }
            return (outRe, outIm)
        }
        let m = n / radix
        // X[k] = Σ_s ω_N^{s·k} · DFT_m(x[radix·j + s])[k mod m]
        let subs = (0..<radix).map { s in
            fft(re: stride(from: s, to: n, by: radix).map { re[$0] }, im: stride(from: s, to: n, by: radix).map { im[$0] },
                roots: roots, rootStride: rootStride * radix)
        }
        for k in 0..<n {
            for s in 0..<radix {
                let w = roots[(s * k % n) * rootStride]
                let a = subs[s].re[k % m], b = subs[s].im[k % m]
                outRe[k] += a * w.re - b * w.im
                outIm[k] += a * w.im + b * w.re
            }
        }
        return (outRe, outIm)
    }

    static func smallestPrimeFactor(_ n: Int) -> Int {
        var p = 2
        while p * p <= n {
            if n % p == 0 { return p }
            p += 1
        }
        return n
    }
}
