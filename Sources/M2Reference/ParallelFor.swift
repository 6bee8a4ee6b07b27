import Dispatch
import Foundation

/// Runs `body(range)` over `0..<count` split into contiguous chunks on all cores. Small jobs
/// (`count * costPerItem` under a threshold) run inline, since thread hand-off would dominate.
public func parallelFor(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    guard cores > 1, count > 1, count * costPerItem >= 32_768 else {
        body(0..<count)
        return
    }
    // A few chunks per core balance uneven rows without much scheduling overhead.
    let chunks = min(count, cores * 4)
    // Chunks write disjoint ranges of their output buffers, so sharing `body` across threads is safe
    // although its captures (raw buffer pointers) are not Sendable.
    withoutActuallyEscaping(body) { body in
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = count * c / chunks, hi = count * (c + 1) / chunks
            if lo < hi { work(lo..<hi) }
        }
    }
}
