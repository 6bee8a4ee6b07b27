#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic stand-in weights for an M2 model (benchmarks, and tests that need no checkpoint).
///
/// Scheme, chosen by key suffix (first match wins):
/// - `pos_emb.t` `[1, n, 1]`: `linspace(0, 1, n)` (the real buffer).
/// - `pos_emb.z` `[1, n, E]`: the real positional features `(t, cos(f_j·w), −sin(f_j·w))` with
///   `w = 2πk/n`, `f = linspace(1e-4, bands−1, bands)`, `bands = (E−1)/2` (semantics §3.5).
/// - `modulation.deltas` `[1, 1, H]`: `linspace(ln(0.01)/1.5, ln(0.01)/0.3, H)` (the real buffer).
/// - `.freq`: 10 (the initial `hyena_w`).
/// - `position_ids`: `0, 1, …` along the last axis, dtype I32.
/// - `LayerNorm.weight` / `layernorm.weight`: `1 + u(−0.02, 0.02)`.
/// - any other key ending in `bias` (LayerNorm biases included): `u(−0.02, 0.02)`.
/// - everything else: `u(−a, a)` with `a = 1/√fan_in`, `fan_in` = the last dimension (for the
///   3-D block-diagonal weights `[nb, q, p]` that is the block's input width `p`), which keeps
///   activations of order one through the layers.
///
/// Every key draws from its own xoshiro256** stream seeded by `seed` and an FNV-1a hash of the
/// key, so a tensor's values do not depend on which other keys are requested or in what order.
/// The uniform draws use only integer and IEEE-exact arithmetic, identical on every platform;
/// the formula buffers use `cos`/`sin`/`log` in Double, rounded to Float.
public enum RandomWeights {
    /// Shapes come from a compiled graph, so their dimensions are non-negative.
    public static func make(specs: [(key: String, shape: [Int])], seed: UInt64) -> InMemoryTensors {
        let tensors = InMemoryTensors(origin: "random(seed \(seed))")
        for (key, shape) in specs {
            precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape) for \(key)")
            let count = shape.reduce(1, *)
            if key.hasSuffix("position_ids") {
                let row = max(shape.last ?? 1, 1)
                tensors.insert(key, shape: shape, values: (0..<count).map { Float($0 % row) }, dtype: .i32)
            } else {
                tensors.insert(key, shape: shape, values: values(key: key, shape: shape, count: count, seed: seed))
            }
        }
        return tensors
    }

    private static func values(key: String, shape: [Int], count: Int, seed: UInt64) -> [Float] {
        if key.hasSuffix("pos_emb.t") { return linspace(0, 1, count).map(Float.init) }
        if key.hasSuffix("pos_emb.z") { return positionalFeatures(shape: shape) }
        if key.hasSuffix("modulation.deltas") {
            return linspace(log(0.01) / 1.5, log(0.01) / 0.3, count).map(Float.init)
        }
        if key.hasSuffix(".freq") { return Array(repeating: 10, count: count) }

        var rng = Xoshiro256StarStar(seed: seed &+ fnv1a(key) &* 0x9E37_79B9_7F4A_7C15)
        func uniform(_ center: Double, _ halfWidth: Double) -> [Float] {
            (0..<count).map { _ in Float(center + (2 * rng.nextUnitDouble() - 1) * halfWidth) }
        }
        if key.hasSuffix("LayerNorm.weight") || key.hasSuffix("layernorm.weight") { return uniform(1, 0.02) }
        if key.hasSuffix("bias") { return uniform(0, 0.02) }
        let fanIn = max(shape.last ?? 1, 1)
        return uniform(0, 1 / Double(fanIn).squareRoot())
    }

    /// `z[k] = (t[k], cos(f_0 w_k) … cos(f_{b−1} w_k), −sin(f_0 w_k) … −sin(f_{b−1} w_k))`, row-major over
    /// `[…, n, E]`. An even E leaves its last column zero (the model itself requires E odd).
    static func positionalFeatures(shape: [Int]) -> [Float] {
        let e = shape.last ?? 1
        let n = shape.count >= 2 ? shape[shape.count - 2] : 1
        let bands = (e - 1) / 2
        let t = linspace(0, 1, n)
        let f = linspace(1e-4, Double(bands - 1), bands)
        var row = [Float](repeating: 0, count: n * e)
        for k in 0..<n {
            let w = 2 * Double.pi * Double(k) / Double(n)
            row[k * e] = Float(t[k])
            for j in 0..<bands {
                row[k * e + 1 + j] = Float(cos(f[j] * w))
                row[k * e + 1 + bands + j] = Float(-sin(f[j] * w))
            }
        }
        // Leading dims (the 1 in [1, n, E]) repeat the same table.
        let copies = shape.dropLast(2).reduce(1, *)
        return Array([[Float]](repeating: row, count: copies).joined())
    }

    /// torch.linspace: both endpoints included; one point gives `start`.
    static func linspace(_ start: Double, _ end: Double, _ n: Int) -> [Double] {
        guard n > 1 else { return n == 1 ? [start] : [] }
        let step = (end - start) / Double(n - 1)
        return (0..<n).map { $0 == n - 1 ? end : start + Double($0) * step }
    }

    private static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
