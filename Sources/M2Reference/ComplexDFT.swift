import Foundation

/// The reference interpreter's own Float64 DFT of any length (semantics §8.1 conventions), for evaluating
/// `monarch_conv`: ω_n = e^{−2πi/n} forward, its conjugate inverse, both unnormalised. Kept independent of the
/// compiler's tables (M2Passes' MonarchDFT), so a wrong compile-time spectrum cannot hide behind a shared bug.
/// Exponents are reduced mod n before the angle is formed, so large products k·m lose no accuracy.
public enum ComplexDFT {
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

    /// X[k] = Σ_n x[n]·ω_N^{±kn} in natural order, by recursive decimation in time on the smallest prime factor
    /// (direct sum for a prime length). Cost N·Σ(prime factors), so every Monarch length is fast.
    public static func transform(re: [Double], im: [Double], inverse: Bool = false) -> (re: [Double], im: [Double]) {
        let n = re.count
        guard n > 1 else { return (re, im) }
        let radix = smallestPrimeFactor(n)
        var outRe = [Double](repeating: 0, count: n), outIm = outRe
        if radix == n {
            for k in 0..<n {
                for j in 0..<n {
                    let w = root(j * k, of: n, inverse: inverse)
                    outRe[k] += re[j] * w.re - im[j] * w.im
                    outIm[k] += re[j] * w.im + im[j] * w.re
                }
            }
            return (outRe, outIm)
        }
        let m = n / radix
        // X[k] = Σ_s ω_N^{s·k} · DFT_m(x[radix·j + s])[k mod m]
        let subs = (0..<radix).map { s in
            transform(re: stride(from: s, to: n, by: radix).map { re[$0] }, im: stride(from: s, to: n, by: radix).map { im[$0] },
                      inverse: inverse)
        }
        for k in 0..<n {
            for s in 0..<radix {
                let w = root(s * k, of: n, inverse: inverse)
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
