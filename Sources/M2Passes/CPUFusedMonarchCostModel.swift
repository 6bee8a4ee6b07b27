/// CPU: the fused `monarch_conv` kernel (Templates/cpu/monarch_conv_support.c.tmpl), which runs every level of one
/// work unit (`lanes` channels, one per vector lane) in place on a buffer of N points × lanes complex floats. Per
/// level and direction (forward, inverse) it charges, per DFT point, in flop-equivalents:
///
/// - the level's DFT: `codeletCostPerPoint` for the codelet factors 2, 4, 8 and 16 (measured: radix 16 costs more
///   than its 11 flops, its 32 complex points spill registers), else the dense matrix product's 8·N_i flops; the
///   first level sees a half-zero real input forward and keeps only the real first half inverse, so it costs half;
/// - the twiddle multiply (6 flops) on every level but the last;
/// - `levelPass` for reading and writing each point once;
/// - `conflictPenalty` · N_i when the level's N_i rows (both planes) lie a multiple of 4 KiB apart — the L1 way size
///   (`l1WayBytes`) — and outnumber the L1's `l1Ways`: they share one cache set and evict each other. Large
///   factors therefore belong at the end, where the rows are close together;
/// - `uncachedPenalty` · N_i when the level's block of S_i = N_i ⋯ N_p points (S_i · lanes · 8 bytes) exceeds
///   `cacheBytes` (L2): its N_i rows then stream from L3 (at L = 8192 this makes a first factor of 2 the fastest).
///
/// Calibrated against bench/longconv/factors.sh (docs/PERFORMANCE.md, "Choosing the fused kernel's
/// factorization"); the expanded form and the CUDA target keep `CPUMonarchCostModel`.
public struct CPUFusedMonarchCostModel: MonarchCostModel {
    public var codeletCostPerPoint: [Int: Double]
    public var levelPass: Double
    public var conflictPenalty: Double
    public var uncachedPenalty: Double
    public var cacheBytes: Int
    public var l1WayBytes: Int
    public var l1Ways: Int
    /// Channels per work unit (16 with AVX-512, 8 otherwise): a row of the buffer is lanes · 4 bytes.
    public var lanes: Int

    public init(codeletCostPerPoint: [Int: Double] = [2: 2, 4: 4, 8: 8, 16: 20], levelPass: Double = 6,
                conflictPenalty: Double = 1, uncachedPenalty: Double = 6, cacheBytes: Int = 1 << 20,
                l1WayBytes: Int = 4096, l1Ways: Int = 8, lanes: Int = 16) {
        self.codeletCostPerPoint = codeletCostPerPoint
        self.levelPass = levelPass
        self.conflictPenalty = conflictPenalty
        self.uncachedPenalty = uncachedPenalty
        self.cacheBytes = cacheBytes
        self.l1WayBytes = l1WayBytes
        self.l1Ways = l1Ways
        self.lanes = lanes
    }

    /// The level DFT's flop-equivalents per point, one direction.
    public func dftCost(factor: Int) -> Double {
        codeletCostPerPoint[factor] ?? 8 * Double(factor)
    }

    public func cost(of plan: MonarchFactorization) -> Double {
        var perPoint = 0.0
        var span = plan.length
        for (i, factor) in plan.factors.enumerated() {
            let rowBytes = span / factor * lanes * 4
            let conflicting = rowBytes % l1WayBytes == 0 && 2 * factor > l1Ways
            let uncached = span * lanes * 8 > cacheBytes
            let memory = levelPass + Double(factor) * ((conflicting ? conflictPenalty : 0) + (uncached ? uncachedPenalty : 0))
            let dft = dftCost(factor: factor) * (i == 0 ? 0.5 : 1)
            let twiddle = i < plan.levels - 1 ? 6.0 : 0
            perPoint += 2 * (dft + twiddle + memory)
            span /= factor
        }
        // The spectrum product (6 flops per point) is the same for every factorization of N.
        return Double(plan.length) * (perPoint + 6)
    }
}
