import M2IR

/// How the fused `monarch_conv` kernel (Templates/cpu/monarch_conv*.c.tmpl) runs one op: channels per work unit
/// (one per vector lane), the per-thread arena slots its working set lives in, and the layout of its DFT and
/// twiddle tables (computed once at open into the statics).
struct MonarchConvKernelPlan: Hashable {
    /// At most this many threads work on one batch item's convolution (each needs its own slot).
    static let maxSlotsPerItem = 16

    let factors: [Int]
    let channels: Int
    let length: Int
    /// Sequences (rows of `channels` channels) per batch item: the product of the static dims before [H, L].
    let sequences: Int
    let lanes: Int
    let isa: CPUISA
    let layout: SequenceLayout
    /// A fused input convolution: its x ⊙ g1 and g2 take 2·L more vectors of the unit's slot (4·L when paired).
    let hasInputConv: Bool
    /// Each work unit transforms two sequences at once, one as the real and one as the imaginary part of the
    /// complex input: exact when the kernel is real, i.e. the spectrum Hermitian (`HermitianSpectrum`), which
    /// only a compile-time constant spectrum can be shown to be. Halves the transforms at batch ≥ 2. An odd last
    /// sequence (batch 1 included) pairs its full channel groups instead, each with its own kernel
    /// (m2_mcN_pair_product in the template).
    let pairsSequences: Bool
    /// The most taps the kernel's fused input convolution holds per lane (M2_MCV_MAX_TAPS in the template).
    static let maxInputTaps = 8

    /// `spectrum`: the op's constant spectrum operand, if it is one (nil: a weight, or unknown), to decide pairing.
    init?(_ op: Op, isa: CPUISA, spectrum: ConstantData?) {
        guard case .monarchConv(let factors, _, _, _, let layout, _) = op.kind, op.type.rank >= 2, op.type.batched else { return nil }
        self.factors = factors
        self.layout = layout
        if case .monarchConv(_, _, _, _, _, .some) = op.kind { hasInputConv = true } else { hasInputConv = false }
        (channels, length) = layout.channelsAndLength(of: op.type.shape)
        sequences = op.type.shape.dropLast(2).reduce(1, *)
        // A 512-bit vector of floats; AVX2 and generic C take 8 (their working set per unit halves too).
        lanes = isa == .avx512 ? 16 : 8
        self.isa = isa
        if let spectrum {
            pairsSequences = HermitianSpectrum.holds(spectrum.values, channels: channels, factors: factors)
        } else {
            pairsSequences = false
        }
    }

    /// The plan of every `monarch_conv` in `graph`, by result.
    static func plans(_ graph: Graph, isa: CPUISA) -> [ValueID: MonarchConvKernelPlan] {
        var constants: [ValueID: ConstantData] = [:]
        for op in graph.ops { if case .constant(let data) = op.kind { constants[op.result] = data } }
        var plans: [ValueID: MonarchConvKernelPlan] = [:]
        for op in graph.ops {
            guard case .monarchConv = op.kind, let spectrum = op.operands.last else { continue }
            plans[op.result] = MonarchConvKernelPlan(op, isa: isa, spectrum: constants[spectrum])
        }
        return plans
    }

    var n: Int { 2 * length }

    /// The first channel in z of x, g1 and g2 (−1 for an absent gate; all −1 without an input convolution).
    func segmentOffsets(_ inputConv: MonarchInputConv?, preGate: Bool, postGate: Bool) -> [Int] {
        guard let inputConv else { return [-1, -1, -1] }
        var segments = inputConv.segments.makeIterator()
        let x = segments.next().map { $0 * channels } ?? -1
        let g1 = preGate ? (segments.next().map { $0 * channels } ?? -1) : -1
        let g2 = postGate ? (segments.next().map { $0 * channels } ?? -1) : -1
        return [x, g1, g2]
    }

    /// Floats between one position and the next, and between adjacent channels, within a sequence.
    var positionStride: Int { layout == .channelsFirst ? 1 : channels }
    var channelStride: Int { layout == .channelsFirst ? length : 1 }

    /// Compiles the kernel for its ISA whatever the library's CFLAGS (as the GEMM micro-kernels do).
    var targetAttribute: String {
        switch isa {
        case .avx512: return "__attribute__((target(\"avx512f,avx2,fma\")))"
        case .avx2: return "__attribute__((target(\"avx2,fma\")))"
        case .neon, .generic: return ""   // Advanced SIMD is AArch64's baseline: the compiler vectorises plain C
        }
    }

    var targetDescription: String {
        switch isa {
        case .generic: return "plain C"
        case .neon: return "plain C, vectorised for AArch64's Advanced SIMD by the compiler"
        case .avx512, .avx2: return "compiled for \(isa.rawValue)"
        }
    }
    var groups: Int { (channels + lanes - 1) / lanes }
    var slotsPerItem: Int { min(groups * sequences, Self.maxSlotsPerItem) }
    /// One unit's complex buffer: N points × lanes, two planes.
    var slotFloats: Int { (2 * n + (hasInputConv ? (pairsSequences ? 4 : 2) * length : 0)) * lanes }
    var scratchBytesPerItem: Int { slotsPerItem * slotFloats * 4 }

    /// S_i = N_i ⋯ N_p.
    var spans: [Int] { factors.indices.map { factors[$0...].reduce(1, *) } }

    /// Table layout: per level its DFT matrix [N_i][N_i] (real, imaginary), then for every level but the last
    /// its twiddles [N_i][S_i/N_i] (real, imaginary).
    var dftOffsets: [Int] { offsets.dft }
    var twiddleOffsets: [Int] { offsets.twiddle }
    var tableFloats: Int { offsets.total }

    private var offsets: (dft: [Int], twiddle: [Int], total: Int) {
        var dft: [Int] = [], twiddle: [Int] = [], at = 0
        for (i, r) in factors.enumerated() {
            dft.append(at)
            at += 2 * r * r
            if i < factors.count - 1 {
                twiddle.append(at)
                at += 2 * spans[i]
            } else {
                twiddle.append(0)
            }
        }
        return (dft, twiddle, at)
    }
}

extension MonarchConvKernelPlan {
    /// Scratch and table sizes of every `monarch_conv` in `graph`, for the execution plan.
    static func kernelMemory(_ plans: [ValueID: MonarchConvKernelPlan]) -> [ValueID: ExecutionPlan.KernelMemory] {
        plans.mapValues { .init(scratchBytesPerItem: $0.scratchBytesPerItem, tableFloats: $0.tableFloats, lastOperandLanes: $0.lanes) }
    }
}
