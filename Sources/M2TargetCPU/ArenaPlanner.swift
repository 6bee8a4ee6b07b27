/// Greedy first-fit placement of values with known lifetimes in one arena.
///
/// Values are requested in execution order; a value whose last use is step `i` frees its bytes after step
/// `i`'s result has been placed, so an op's result never overlaps its own operands (kernels use `restrict`).
/// Sizes are per batch item and rounded to `alignment`; since every offset scales with the batch, placing
/// per-item intervals that do not overlap gives a valid plan for every batch size.
struct ArenaPlanner {
    struct Block { var offset: Int; var size: Int; var lastUse: Int }

    let alignment: Int
    private(set) var live: [Block] = []
    /// High-water mark: the arena bytes per item the plan needs.
    private(set) var peak = 0

    init(alignment: Int = 64) { self.alignment = alignment }

    /// Frees blocks whose last use came before `step`.
    mutating func release(before step: Int) {
        live.removeAll { $0.lastUse < step }
    }

    /// Places `bytes` that stay live through step `lastUse`; returns the offset.
    mutating func place(bytes: Int, lastUse: Int) -> Int {
        let size = max(alignment, (bytes + alignment - 1) / alignment * alignment)
        var candidate = 0
        for block in live.sorted(by: { $0.offset < $1.offset }) {
            if block.offset - candidate >= size { break }
            candidate = max(candidate, block.offset + block.size)
        }
        live.append(Block(offset: candidate, size: size, lastUse: lastUse))
        peak = max(peak, candidate + size)
        return candidate
    }
}
