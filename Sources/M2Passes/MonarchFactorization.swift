/// An ordered factorization N = N1·N2·…·Np of a Monarch DFT length (semantics §8.1): stage i applies
/// length-N_i DFTs along digit i. The first factor must be even so that the zero-padded half of the
/// input (n ≥ N/2) is exactly the upper half of digit n1, and the kept half of the output (n < N/2)
/// exactly its lower half: both prunings of `lower-long-conv` depend on it.
public struct MonarchFactorization: Hashable, Sendable, CustomStringConvertible {
    public let factors: [Int]

    /// Nil unless every factor is ≥ 2 and the first is even.
    public init?(_ factors: [Int]) {
        guard let first = factors.first, first % 2 == 0, factors.allSatisfy({ $0 >= 2 }) else { return nil }
        self.factors = factors
    }

    /// The DFT length N.
    public var length: Int { factors.reduce(1, *) }
    /// The sequence length L = N/2 whose convolution this transform serves.
    public var sequenceLength: Int { length / 2 }
    public var levels: Int { factors.count }
    /// "16x16", the form used in annotations and forced factorizations.
    public var description: String { factors.map(String.init).joined(separator: "x") }

    /// Parses "16x16" (or "8x8x8").
    public init?(parsing text: String) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        self.init(parts.compactMap { $0 })
    }

    /// Every ordered factorization of `length` into factors from `allowed` whose first factor is even.
    public static func candidates(for length: Int, allowed: ClosedRange<Int>) -> [MonarchFactorization] {
        var result: [MonarchFactorization] = []
        var prefix: [Int] = []
        func extend(_ remaining: Int) {
            if remaining == 1 {
                if let f = MonarchFactorization(prefix) { result.append(f) }
                return
            }
            for factor in stride(from: max(2, allowed.lowerBound), through: min(remaining, allowed.upperBound), by: 1)
            where remaining % factor == 0 && (!prefix.isEmpty || factor % 2 == 0) {
                prefix.append(factor)
                extend(remaining / factor)
                prefix.removeLast()
            }
        }
        if length >= 2 { extend(length) }
        return result
    }

    /// Whether `length` has any candidate (a depth-first search that stops at the first one found).
    public static func exists(for length: Int, allowed: ClosedRange<Int>) -> Bool {
        func split(_ remaining: Int, first: Bool) -> Bool {
            if remaining == 1 { return !first }
            for factor in stride(from: max(2, allowed.lowerBound), through: min(remaining, allowed.upperBound), by: 1)
            where remaining % factor == 0 && (!first || factor % 2 == 0) {
                if split(remaining / factor, first: false) { return true }
            }
            return false
        }
        return length >= 2 && split(length, first: true)
    }

    /// The cheapest candidate under `model`; ties go to fewer levels, then to the lexicographically
    /// smaller factor list, so the choice is deterministic.
    public static func cheapest(for length: Int, allowed: ClosedRange<Int> = defaultAllowedFactors,
                                model: any MonarchCostModel = CPUMonarchCostModel()) throws(UnsupportedLengthError) -> MonarchFactorization {
        var best: (cost: Double, plan: MonarchFactorization)?
        for plan in candidates(for: length, allowed: allowed) {
            let cost = model.cost(of: plan)
            if let b = best {
                let better = cost < b.cost
                    || (cost == b.cost && (plan.levels < b.plan.levels
                        || (plan.levels == b.plan.levels && plan.factors.lexicographicallyPrecedes(b.plan.factors))))
                if !better { continue }
            }
            best = (cost, plan)
        }
        guard let best else { throw UnsupportedLengthError(length: length, allowed: allowed) }
        return best.plan
    }

    /// The factors m2c considers by default: DFT matrices up to 64×64 (the largest that stay cache- and
    /// register-friendly as dense GEMM operands).
    public static let defaultAllowedFactors: ClosedRange<Int> = 2...64
}

/// A convolution length whose FFT length 2L cannot be split into allowed factors (a prime factor is too large).
public struct UnsupportedLengthError: Error, Hashable, Sendable, CustomStringConvertible {
    public let length: Int
    public let allowed: ClosedRange<Int>

    public var sequenceLength: Int { length / 2 }

    /// The largest prime factor of N, the reason no factorization exists.
    public var offendingPrime: Int {
        var n = length, p = 2, largest = 1
        while p * p <= n {
            while n % p == 0 { largest = p; n /= p }
            p += 1
        }
        return max(largest, n)
    }

    /// The nearest sequence lengths below and above L whose 2L factorizes (searched up to 4L + 64; nil when none).
    public var nearestSupportedSequenceLengths: (below: Int?, above: Int?) {
        func supported(_ l: Int) -> Bool { MonarchFactorization.exists(for: 2 * l, allowed: allowed) }
        let below = stride(from: sequenceLength - 1, through: 1, by: -1).first(where: supported)
        let above = (sequenceLength + 1...4 * sequenceLength + 64).first(where: supported)
        return (below, above)
    }

    public var description: String {
        let near = nearestSupportedSequenceLengths
        let lengths = [near.below, near.above].compactMap { $0 }.map(String.init).joined(separator: " and ")
        return "sequence length \(sequenceLength) (FFT length N = \(length)) has no Monarch factorization into factors "
            + "\(allowed.lowerBound)…\(allowed.upperBound): its largest prime factor is \(offendingPrime); "
            + (lengths.isEmpty ? "no nearby sequence length is supported" : "nearest supported sequence lengths: \(lengths)")
    }
}
