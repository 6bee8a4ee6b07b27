import Foundation
import M2IR
import M2Reference

/// Refuses a batch whose values cannot fit this machine's memory before any of them is allocated: `--batch
/// 100000000` is then one error line, not a failed allocation that aborts m2c.
enum BatchMemoryCheck {
    /// For the reference interpreter (`run`, `verify`): its peak of Float64 values (ReferenceInterpreter.peakBytes).
    /// Also an upper bound for a compiled library's float32 buffers, so it serves those commands' other engines.
    static func reference(_ graph: Graph, batch: Int) throws {
        try check(batch: batch, bytes: ReferenceInterpreter(graph: graph, weights: nil).peakBytes(batch: batch),
                  what: "of Float64 values in the reference interpreter")
    }

    /// For a compiled library (`bench`): the host buffers of its inputs and outputs (float32 or int32) and its
    /// activation arena (`arenaBytesPerItem`, 0 for CUDA, whose arena is device memory), per batch item.
    static func compiled(_ graph: Graph, batch: Int, arenaBytesPerItem: Int) throws {
        let io = (graph.inputs.map(\.type) + graph.outputs.compactMap { graph.type(of: $0.value) })
            .filter(\.batched).reduce(0.0) { $0 + $1.shape.reduce(4.0) { $0 * Double($1) } }
        try check(batch: batch, bytes: Double(batch) * (io + Double(arenaBytesPerItem)),
                  what: "for the compiled library's inputs, outputs and arena")
    }

    private static func check(batch: Int, bytes: Double, what: String) throws {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes > memory else { return }
        Console.error("error: batch \(batch) needs \(gib(bytes)) GiB \(what), more than this machine's \(gib(memory)) GiB "
                      + "of memory; use a smaller batch\n")
        throw ReportedFailure()
    }

    private static func gib(_ bytes: Double) -> String { String(format: "%.1f", bytes / Double(1 << 30)) }
}
