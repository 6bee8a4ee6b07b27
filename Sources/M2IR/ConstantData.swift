/// Compile-time constant data held in the IR (folded implicit filters, generated index tables, …).
/// Stored in Float64 so folding loses nothing; targets round to their storage type when emitting.
public struct ConstantData: Hashable, Sendable {
    public var values: [Double]

    public init(_ values: [Double]) { self.values = values }

    /// Hashes the count and a fixed sample of values, not all of them: CSE hashes every constant op, and
    /// folded spectra hold millions of values at long sequence lengths. Equality still compares every value.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(values.count)
        guard !values.isEmpty else { return }
        let samples = 16
        for i in 0..<min(samples, values.count) {
            hasher.combine(values[i * (values.count - 1) / max(1, samples - 1)].bitPattern)
        }
    }

    /// 64-bit FNV-1a over the bit patterns: a stable identity for dumps and golden tests.
    public var digest: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in values {
            var bits = v.bitPattern
            for _ in 0..<8 {
                h ^= bits & 0xff
                h = h &* 0x0000_0100_0000_01b3
                bits >>= 8
            }
        }
        return h
    }

    public var digestString: String {
        let s = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
