/// The layout contract of `monarch_conv`'s spectrum operand (OpKind.monarchConv), shared by the pass that
/// builds the spectrum, the reference interpreter that reads it back and the kernels that stream it.
public enum MonarchSpectrumOrder {
    /// The largest factor a Monarch stage may have (a dense DFT matrix of at most 64×64).
    public static let maxFactor = 64

    /// Frequency held at each position of the forward Monarch transform's output: position
    /// k1·N2⋯Np + k2·N3⋯Np + … + kp holds frequency k1 + N1·k2 + N1N2·k3 + … (base-N_i digit reversal).
    public static func frequencies(factors: [Int]) -> [Int] {
        var order = [0]
        var placeValue = 1
        // Appending digit k_i as the new least significant position multiplies every earlier position by N_i.
        for factor in factors {
            order = order.flatMap { head in (0..<factor).map { head + $0 * placeValue } }
            placeValue *= factor
        }
        return order
    }

    /// Why `factors` cannot describe a Monarch transform, or nil when they can.
    public static func problem(with factors: [Int]) -> String? {
        guard let first = factors.first else { return "needs at least one factor" }
        if let bad = factors.first(where: { !(2...maxFactor).contains($0) }) { return "factor \(bad) is outside 2…\(maxFactor)" }
        if first % 2 != 0 { return "the first factor (\(first)) must be even" }
        return nil
    }

    /// The shape rule of `monarch_conv` (operands x, the gates flagged in `gated`, spectrum).
    static func resultType(_ operands: [TensorType], factors: [Int], gated: [Bool],
                           layout: SequenceLayout = .channelsFirst) throws(ShapeError) -> TensorType {
        let expected = 2 + gated.filter { $0 }.count
        guard operands.count == expected else { throw ShapeError("monarch_conv takes \(expected) operand(s), got \(operands.count)") }
        let x = operands[0]
        guard x.dtype == .f32, x.rank >= 2 else {
            throw ShapeError("monarch_conv: input must be f32[..., \(layout == .channelsFirst ? "channels, length" : "length, channels")], got \(x)")
        }
        if let problem = problem(with: factors) { throw ShapeError("monarch_conv: factors \(factors): \(problem)") }
        let (h, l) = layout.channelsAndLength(of: x.shape), n = factors.reduce(1, *)
        guard n == 2 * l else {
            throw ShapeError("monarch_conv: factors \(factors) multiply to \(n), but sequence length \(l) needs N = 2L = \(2 * l)")
        }
        let names = ["pre-gate", "post-gate", "residual"]
        var position = 1
        for (name, present) in zip(names, gated) where present {
            guard operands[position] == x else { throw ShapeError("monarch_conv: \(name) must be \(x), got \(operands[position])") }
            position += 1
        }
        let spectrum = operands[position]
        guard spectrum.shape == [2, h, n], !spectrum.batched, spectrum.dtype == .f32 else {
            throw ShapeError("monarch_conv: spectrum must be f32[2,\(h),\(n)] (unbatched), got \(spectrum)")
        }
        return x
    }
}
