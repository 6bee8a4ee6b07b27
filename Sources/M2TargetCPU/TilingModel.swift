import M2IR

/// The tiles of one matmul with a stored weight: the micro-kernel shape (mr × nr), the k slice (kc), the rows
/// (mc) and columns (nc) of one OpenMP work item. Recorded in the IR (`#{tile = "…"}`) and the generated code.
public struct GemmTiling: Hashable, Sendable {
    public var backend: GemmBackend
    public var isa: CPUISA
    public var mr: Int, nr: Int, kc: Int, mc: Int, nc: Int
    /// Work-item columns per block: ⌈q / nc⌉.
    public var columnBlocks: Int
    /// Why these numbers, for the comment above the kernel.
    public var reason: String

    /// `mr=8,nr=32,kc=768,mc=160,nc=768` (the `tile` annotation).
    public var annotation: String { "mr=\(mr),nr=\(nr),kc=\(kc),mc=\(mc),nc=\(nc)" }
    /// `avx512`, `avx2`, `generic` or `openblas` (the `kernel` annotation).
    public var kernel: String { backend == .openblas ? "openblas" : isa.rawValue }
}

/// Chooses GEMM tiles from the cache sizes and the micro-kernel's register tile (a cost model, no tuning runs).
///
/// The micro-kernel broadcasts activations (mr rows, unpacked) against a packed weight panel of nr columns.
/// - kc: the kc × nr panel slice streams from L2 while the row tiles reuse it, so it may take an eighth of L2;
///   a whole k (no split) is best since every split re-reads and re-writes the output tile.
/// - mc: the mc × kc slice of x stays in L2 across all panels of a work item: half of L2 (shared by the gate's
///   and the value's slices of a GLU GEMM).
/// - nc: the columns of a work item; narrowed only so that one sequence (batch 1) still gives every thread
///   work (4 items: 2 cores × 2 for balance).
public enum TilingModel {
    static let minimumWorkItems = 4

    /// The register tile of each ISA's micro-kernel (rows × columns of accumulators).
    public static func microKernel(_ isa: CPUISA) -> (mr: Int, nr: Int) {
        switch isa {
        case .avx512: return (8, 32)    // 16 of 32 zmm accumulate; 2 hold the panel row; broadcasts fold into FMAs
        case .avx2: return (6, 16)      // 12 of 16 ymm accumulate, 2 panel, 1 broadcast
        case .neon: return (6, 16)      // 24 of 32 q registers accumulate, 4 hold the panel row
        case .generic: return (4, 16)
        }
    }

    /// Tiles for y[rows, nb·q] = x[rows, nb·p] · blockdiag(W) with `rowsPerItem` rows per batch item.
    /// With `wholeK` (a GLU epilogue: each micro-tile's gate and value are finished together) k is never split;
    /// `inputSlices` x slices share L2's half (2 for a GLU whose halves are different blocks, reading different
    /// columns of x).
    public static func tiling(rowsPerItem rows: Int, blocks nb: Int, outPerBlock q: Int, inPerBlock p: Int,
                              options: CPUEmitOptions, wholeK: Bool = false, inputSlices: Int = 1) -> GemmTiling {
        let rows = max(1, rows), q = max(1, q), p = max(1, p), nb = max(1, nb)
        if options.gemm == .openblas {
            // One cblas_sgemm per (row block, block); the panel is the whole block ([nb][p][q] layout).
            let rowSplits = min(ceilDiv(minimumWorkItems, nb), ceilDiv(rows, 16))
            let mc = roundUp(ceilDiv(rows, rowSplits), 16)
            return GemmTiling(backend: .openblas, isa: options.isa, mr: 1, nr: q, kc: p, mc: mc, nc: q, columnBlocks: 1,
                              reason: "rows split so one sequence gives \(ceilDiv(rows, mc) * nb) work items")
        }
        let (mr, nr) = microKernel(options.isa)
        let kcLimit = max(16, options.caches.l2 / 8 / (nr * 4) / 16 * 16)
        let kSlices = wholeK ? 1 : ceilDiv(p, kcLimit)
        let kc = kSlices == 1 ? p : roundUp(ceilDiv(p, kSlices), 16)
        let mcLimit = max(mr, options.caches.l2 / 2 / (kc * 4 * max(1, inputSlices)) / mr * mr)
        let mc = balancedRowTile(rows: rows, blocks: nb, limit: mcLimit, mr: mr)
        let panels = ceilDiv(q, nr)
        let rowItems = ceilDiv(rows, mc) * nb
        let columnSplits = min(panels, max(1, ceilDiv(minimumWorkItems, rowItems)))
        let nc = ceilDiv(panels, columnSplits) * nr
        let reason = "L1d \(options.caches.l1d >> 10) KiB, L2 \(options.caches.l2 >> 10) KiB: kc·nr·4 ≤ L2/8"
            + (kSlices == 1 ? " (whole k)" : "") + ", mc·kc·4 ≤ L2/2, ≥ \(minimumWorkItems) work items per sequence"
        return GemmTiling(backend: .m2c, isa: options.isa, mr: mr, nr: nr, kc: kc, mc: mc, nc: nc,
                          columnBlocks: ceilDiv(q, nc), reason: reason)
    }

    /// The cost model's tiles for `problem`.
    public static func tiling(for problem: GemmProblem, options: CPUEmitOptions) -> GemmTiling {
        tiling(rowsPerItem: problem.rowsPerItem, blocks: problem.blocks, outPerBlock: problem.outPerBlock,
               inPerBlock: problem.inPerBlock, options: options, wholeK: problem.wholeK, inputSlices: problem.inputSlices)
    }

    /// The tiling of every block-diagonal matmul whose weight is stored (a leaf, packed into the .m2w), by result:
    /// the one its `tile` annotation records (checked), else the cost model's.
    static func tilings(_ graph: Graph, options: CPUEmitOptions) throws(CPUEmitError) -> [ValueID: GemmTiling] {
        var result: [ValueID: GemmTiling] = [:]
        for (i, problem) in GemmProblem.all(in: graph) {
            let op = graph.ops[i]
            result[op.result] = try TileAnnotation.recorded(on: op, problem: problem, options: options)
                ?? tiling(for: problem, options: options)
        }
        return result
    }

    /// `graph` with a `tile` and a `kernel` annotation on every matmul that runs a tiled GEMM; matmuls that
    /// already carry a `tile` (from `--tune` or an IR file) keep theirs.
    public static func annotate(_ graph: Graph, options: CPUEmitOptions) -> Graph {
        var annotated = graph
        for (i, problem) in GemmProblem.all(in: graph) where annotated.ops[i].annotations[TileAnnotation.tileKey] == nil {
            TileAnnotation.record(tiling(for: problem, options: options), on: &annotated.ops[i])
        }
        return annotated
    }

    /// The rows of one work item: at most `limit`, and when the rows need more than one tile, tiles of equal
    /// size in a number that makes (row tiles × blocks) a multiple of `minimumWorkItems`, so a static split over
    /// 1, 2 or 4 threads gives every thread the same rows. (512 rows under a limit of 168 were 168+168+168+8:
    /// on 2 threads one did 336 rows, the other 176, and the GEMM ran at ≈ 76% of its rate.)
    static func balancedRowTile(rows: Int, blocks nb: Int, limit: Int, mr: Int) -> Int {
        guard rows > limit else { return roundUp(rows, mr) }
        let step = minimumWorkItems / gcd(nb, minimumWorkItems)
        var tiles = roundUp(ceilDiv(rows, limit), step)
        while true {
            let mc = roundUp(ceilDiv(rows, tiles), mr)
            // Rounding mc up to a multiple of mr can merge tiles (the count is then no longer a multiple of
            // `step`): try more tiles. The last tile may still be shorter (520 rows: 136·3 + 112).
            if mc <= limit, ceilDiv(rows, mc) == tiles || tiles * mr >= rows { return mc }
            tiles += step
        }
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    static func roundUp(_ a: Int, _ multiple: Int) -> Int { ceilDiv(a, multiple) * multiple }
}
