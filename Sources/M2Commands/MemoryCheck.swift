import Foundation
import M2IR
import M2Reference
import M2Support

/// Refuses work whose values cannot fit this machine's memory before any of them is allocated: `--batch
/// 100000000` or random weights for `--param hidden=30000` is then one error line, not a failed allocation that
/// aborts m2c (or the kernel's OOM killer).
enum MemoryCheck {
    /// Random weights of `specs` (float32), each already within TensorType.maxElements; together they may not fit.
    static func randomWeights(_ specs: [(key: String, shape: [Int])], model: String, log: (String) -> Void) throws {
        let bytes = specs.reduce(0.0) { $0 + $1.shape.reduce(4.0) { $0 * Double($1) } }
        try check(bytes: bytes, log: log) {
            "random weights for \(model) need \($0) (\(specs.count) tensors), more than this machine's \($1) of memory; "
                + "check the model's parameters (--param)"
        }
    }

    /// For the reference interpreter (`run`, `verify`): its own check of its peak of Float64 values, made before
    /// random inputs are drawn.
    /// Also an upper bound for a compiled library's float32 buffers, so it serves those commands' other engines.
    static func reference(_ graph: Graph, batch: Int) throws {
        do {
            try ReferenceInterpreter(graph: graph, weights: nil).checkMemory(batch: batch)
        } catch {
            Console.error("error: \(error.description)\n")
            throw ReportedFailure()
        }
    }

    /// For a compiled library (`bench`): the host buffers of its inputs and outputs (float32 or int32) and its
    /// activation arena (`arenaBytesPerItem`, 0 for CUDA, whose arena is device memory), per batch item.
    static func compiled(_ graph: Graph, batch: Int, arenaBytesPerItem: Int) throws {
        let io = (graph.inputs.map(\.type) + graph.outputs.compactMap { graph.type(of: $0.value) })
            .filter(\.batched).reduce(0.0) { $0 + $1.shape.reduce(4.0) { $0 * Double($1) } }
        try check(bytes: Double(batch) * (io + Double(arenaBytesPerItem))) {
            "batch \(batch) needs \($0) for the compiled library's inputs, outputs and arena, more than this machine's "
                + "\($1) of memory; use a smaller batch"
        }
    }

    /// Logs `message(needed, available)` (both as ByteCount.gib) and fails when `bytes` exceed physical memory.
    private static func check(bytes: Double, log: (String) -> Void = Console.error,
                              _ message: (String, String) -> String) throws {
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes > memory else { return }
        log("error: \(message(ByteCount.gib(bytes), ByteCount.gib(memory)))\n")
        throw ReportedFailure()
    }
}
