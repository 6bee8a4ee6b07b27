/// Prices a Monarch factorization for one target; `MonarchFactorization.cheapest` picks the minimum.
/// A CPU model now; a GPU model (tensor-core tile shapes, shared-memory limits) can be added beside it.
public protocol MonarchCostModel: Sendable {
    /// Cost of one channel's convolution (forward transform, spectrum product, inverse) in flop-equivalents.
    func cost(of plan: MonarchFactorization) -> Double
}

/// CPU: the real flops of the pruned lowering plus a memory-traffic term per level. Every level adds, in
/// each direction, a transpose of the complex tensor and six element-wise twiddle passes that are bound by
/// memory, not arithmetic; `elementAccessesPerLevel` counts those reads and writes (per DFT point), and
/// `flopsPerElementAccess` converts them (a core streams roughly one float per two flops).
public struct CPUMonarchCostModel: MonarchCostModel {
    public var elementAccessesPerLevel: Double
    public var flopsPerElementAccess: Double

    public init(elementAccessesPerLevel: Double = 48, flopsPerElementAccess: Double = 2) {
        self.elementAccessesPerLevel = elementAccessesPerLevel
        self.flopsPerElementAccess = flopsPerElementAccess
    }

    public func cost(of plan: MonarchFactorization) -> Double {
        let traffic = elementAccessesPerLevel * Double(plan.length * plan.levels)
        return Double(MonarchFlopCount(plan).total) + flopsPerElementAccess * traffic
    }
}

/// Real flops per channel and sequence of the lowered convolution (multiply-add = 2 flops), stage by stage,
/// exactly as `lower-long-conv` emits it (N = 2L, M_i = N/N_i):
///
/// - forward stage 1: real input, only the first N1/2 inputs of each length-N1 DFT are non-zero:
///   2 real GEMMs [N1 × N1/2] on M_1 columns = 2·N·N1
/// - forward stage i ≥ 2, complex: 4 real GEMMs [N_i × N_i] + add + sub = 8·N·N_i + 2N
/// - twiddles, p−1 levels per direction, complex multiply (4 mul, add, sub) = 6N each
/// - spectrum product, complex = 6N
/// - inverse stages i ≥ 2 as forward; inverse stage 1: only the first L outputs and only their real part:
///   2 real GEMMs [N1/2 × N1] + add = 2·N·N1 + N/2
public struct MonarchFlopCount: Hashable, Sendable {
    public let forwardStages: Int
    public let twiddles: Int
    public let spectrumProduct: Int
    public let inverseStages: Int

    public init(_ plan: MonarchFactorization) {
        let n = plan.length, first = plan.factors[0]
        let complexStages = plan.factors.dropFirst().reduce(0) { $0 + 8 * n * $1 + 2 * n }
        forwardStages = 2 * n * first + complexStages
        inverseStages = 2 * n * first + n / 2 + complexStages
        twiddles = 2 * 6 * n * (plan.levels - 1)
        spectrumProduct = 6 * n
    }

    public var total: Int { forwardStages + twiddles + spectrumProduct + inverseStages }

    /// A textbook radix-2 FFT convolution of length N: 5·N·log2 N per transform, forward and inverse.
    public static func radix2(length n: Int) -> Int {
        var log2 = 0
        while (1 << log2) < n { log2 += 1 }
        return 2 * 5 * n * log2
    }

    /// The direct sum (§3.7): L outputs of L multiply-adds each.
    public static func direct(sequenceLength l: Int) -> Int { 2 * l * l }

    /// The markdown table of docs/MONARCH_FFT.md: the chosen CPU factorization per L and its flops against
    /// radix-2 and direct convolution (the doc's table is this function's output, and a test checks it).
    public static func markdownTable(sequenceLengths: [Int], model: any MonarchCostModel = CPUMonarchCostModel()) throws -> String {
        var lines = [
            "| L | N = 2L | factors (CPU model) | Monarch flops | radix-2 flops | direct 2L² | Monarch / radix-2 | direct / Monarch |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for l in sequenceLengths {
            let plan = try MonarchFactorization.cheapest(for: 2 * l, model: model)
            let monarch = MonarchFlopCount(plan).total, fft = radix2(length: 2 * l), direct = direct(sequenceLength: l)
            lines.append("| \(l) | \(2 * l) | \(plan) | \(grouped(monarch)) | \(grouped(fft)) | \(grouped(direct)) | "
                + "\(ratio(monarch, fft)) | \(ratio(direct, monarch)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func grouped(_ v: Int) -> String {
        var digits = Array(String(v)), out = ""
        while digits.count > 3 { out = "," + String(digits.suffix(3)) + out; digits.removeLast(3) }
        return String(digits) + out
    }

    private static func ratio(_ a: Int, _ b: Int) -> String {
        let tenths = (a * 10 + b / 2) / b
        return "\(tenths / 10).\(tenths % 10)×"
    }
}
