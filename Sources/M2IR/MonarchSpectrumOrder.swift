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

    /// The shape rule of a `monarch_conv` with a fused input convolution: z [..., L, S·H], W [S·H, taps],
    /// bias [S·H], r? [..., L, H], spectrum [2, H, N]; the result is [..., L, H].
    static func resultType(_ operands: [TensorType], factors: [Int], gated: [Bool], layout: SequenceLayout,
                           inputConv: MonarchInputConv) throws(ShapeError) -> TensorType {
        let residual = gated[2]
        let expected = 4 + (residual ? 1 : 0)
        guard operands.count == expected else {
            throw ShapeError("monarch_conv with short_conv_taps takes z, W, bias\(residual ? ", r" : ""), spectrum: \(expected) operands, got \(operands.count)")
        }
        guard layout == .channelsLast else { throw ShapeError("monarch_conv: short_conv_taps needs channels_last = true") }
        let z = operands[0], w = operands[1], bias = operands[2], spectrum = operands[expected - 1]
        guard z.dtype == .f32, z.rank >= 2 else { throw ShapeError("monarch_conv: z must be f32[..., length, channels], got \(z)") }
        if let problem = problem(with: factors) { throw ShapeError("monarch_conv: factors \(factors): \(problem)") }
        guard spectrum.rank == 3, spectrum.shape[0] == 2, !spectrum.batched, spectrum.dtype == .f32 else {
            throw ShapeError("monarch_conv: spectrum must be f32[2,H,N] (unbatched), got \(spectrum)")
        }
        let h = spectrum.shape[1], n = factors.reduce(1, *)
        let (channels, l) = layout.channelsAndLength(of: z.shape)
        guard n == 2 * l, spectrum.shape[2] == n else {
            throw ShapeError("monarch_conv: factors \(factors) and spectrum \(spectrum) need N = 2L = \(2 * l)")
        }
        guard h > 0, channels % h == 0 else { throw ShapeError("monarch_conv: z's \(channels) channels are not segments of H = \(h)") }
        let segmentCount = channels / h
        let needed = 1 + (gated[0] ? 1 : 0) + (gated[1] ? 1 : 0)
        guard inputConv.segments.count == needed, inputConv.segments.allSatisfy({ (0..<segmentCount).contains($0) }) else {
            throw ShapeError("monarch_conv: segments \(inputConv.segments) must name \(needed) of z's \(segmentCount) segments (x, then the gates)")
        }
        guard inputConv.taps >= 1, w.shape == [channels, inputConv.taps], !w.batched, w.dtype == .f32 else {
            throw ShapeError("monarch_conv: short convolution weight must be f32[\(channels),\(inputConv.taps)], got \(w)")
        }
        guard bias.shape == [channels], !bias.batched, bias.dtype == .f32 else {
            throw ShapeError("monarch_conv: short convolution bias must be f32[\(channels)], got \(bias)")
        }
        var shape = z.shape
        shape[shape.count - 1] = h
        let result = z.with(shape: shape)
        if residual, operands[3] != result { throw ShapeError("monarch_conv: residual must be \(result), got \(operands[3])") }
        return result
    }
}
