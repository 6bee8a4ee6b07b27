/// The tiles `m2c compile --tune` times for one GEMM problem: the cost model's choice first, then one-step
/// moves from it, each changing one tile size by a factor of two within what the kernels run (mc a multiple of
/// mr and balanced over the work items, nc a multiple of nr, kc whole or a multiple of 16, whole for a GLU).
/// One step each way is where the cost model's estimate is least certain: it knows the cache sizes but not how
/// the L3, the prefetchers and the other thread share them inside a forward.
extension TilingModel {
    public static func candidates(for problem: GemmProblem, options: CPUEmitOptions) -> [GemmTiling] {
        let base = tiling(for: problem, options: options)
        guard base.backend == .m2c else { return [base] }   // cblas_sgemm takes whole blocks: nothing to choose
        let rows = max(1, problem.rowsPerItem), q = max(1, problem.outPerBlock), p = max(1, problem.inPerBlock)
        var result = [base]
        func add(_ why: String, mc: Int? = nil, nc: Int? = nil, kc: Int? = nil) {
            var t = base
            t.mc = mc ?? base.mc
            t.nc = nc ?? base.nc
            t.kc = kc ?? base.kc
            t.columnBlocks = ceilDiv(q, t.nc)
            t.reason = "a --tune candidate: the cost model's tiles with \(why)"
            guard t.mc >= t.mr, t.nc >= t.nr, t.kc >= 1, !result.contains(where: { $0.annotation == t.annotation }) else { return }
            result.append(t)
        }
        // Rows: half and twice the cost model's limit, balanced over the work items as it balances its own.
        if base.mc / 2 >= base.mr {
            add("half the rows per work item", mc: balancedRowTile(rows: rows, blocks: problem.blocks, limit: base.mc / 2, mr: base.mr))
        }
        if roundUp(rows, base.mr) > base.mc {
            add("twice the rows per work item", mc: balancedRowTile(rows: rows, blocks: problem.blocks, limit: 2 * base.mc, mr: base.mr))
        }
        // Columns: half and twice the panels per work item.
        let panels = ceilDiv(base.nc, base.nr)
        if panels >= 2 { add("half the columns per work item", nc: ceilDiv(panels, 2) * base.nr) }
        if base.nc < roundUp(q, base.nr) { add("twice the columns per work item", nc: min(2 * base.nc, roundUp(q, base.nr))) }
        // k: a slice half as deep, or whole k where the model split it (never for a GLU, which needs whole k).
        if !problem.wholeK {
            if base.kc >= 32 { add("a k slice half as deep", kc: roundUp(ceilDiv(base.kc, 2), 16)) }
            if base.kc < p { add("whole k", kc: p) }
        }
        return result
    }
}
