/// Bounds the work of one elaboration. Blocks are inlined and loops unrolled at compile time, so a short
/// program can ask for unbounded work: 10^5 layers, loops nested inside loops, or a chain of blocks that each
/// call the next twice. The budget turns those into one clear error within seconds instead of a hang or an
/// exhausted memory. The limits are ~50x the largest real model (M2-BERT-large elaborates to ~1,900 ops).
struct ElaborationBudget {
    static let maxOps = 100_000
    /// Statements executed plus loop iterations (an empty loop body still costs its iterations).
    static let maxSteps = 1_000_000

    private(set) var steps = 0
    /// Set once a limit was reported; everything after is abandoned silently.
    private(set) var exhausted = false

    enum Overrun {
        case steps
        case ops(Int)
    }

    /// Counts one step; returns the limit that this step crossed, once.
    mutating func spend(opCount: Int) -> Overrun? {
        steps += 1
        if steps > Self.maxSteps {
            exhausted = true
            return .steps
        }
        if opCount > Self.maxOps {
            exhausted = true
            return .ops(opCount)
        }
        return nil
    }
}
