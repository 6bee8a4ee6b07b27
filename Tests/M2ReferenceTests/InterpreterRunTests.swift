import Foundation
import M2IR
import M2Reference
import M2Weights
import Testing

/// Graph-level behaviour of `run`: inputs and defaults, weights, outputs and the error cases.
@Suite("ReferenceInterpreter.run")
struct InterpreterRunTests {
    /// ids i32[B,3] → gather from a 4×2 table weight, plus an unbatched probe of the table's row sums.
    func embeddingGraph(defaultIds: Int? = nil) throws -> Graph {
        var b = GraphBuilder(name: "embed")
        let ids = try b.input("ids", type: .i32([3], batched: true))
        let table = try b.weight("table", shape: [4, 2])
        let rows = try b.add(.gather, [table, ids])
        b.output("rows", try b.add(.scale(2), [rows]))
        b.output("row_sums", try b.add(.reduce(.sum, axis: 1), [table]), isProbe: true)
        var graph = b.graph
        if let defaultIds, let i = graph.ops.firstIndex(where: { $0.result == ids }) {
            graph.ops[i].annotations["default"] = .int(defaultIds)
        }
        return graph
    }

    func tableStore(shape: [Int] = [4, 2]) -> WeightStore {
        let t = InMemoryTensors(origin: "test")
        t.insert("table", shape: shape, values: [0, 1, 10, 11, 20, 21, 30, 31])
        return WeightStore([t])
    }

    @Test func runsBatchedAndReturnsEveryOutputIncludingProbes() throws {
        let out = try ReferenceInterpreter(graph: try embeddingGraph(), weights: tableStore())
            .run(inputs: ["ids": [3, 0, 1, 2, 2, 2]], batch: 2)
        #expect(out["rows"]?.shape == [2, 3, 2])
        #expect(out["rows"]?.values == [60, 62, 0, 2, 20, 22, 40, 42, 40, 42, 40, 42])
        #expect(out["row_sums"] == Tensor64(shape: [4], values: [1, 21, 41, 61]))
    }

    @Test func anInputWithADefaultMayBeOmitted() throws {
        let out = try ReferenceInterpreter(graph: try embeddingGraph(defaultIds: 1), weights: tableStore())
            .run(inputs: [:], batch: 2)
        // Every id is 1: row [10, 11], scaled by 2.
        #expect(out["rows"]?.values == Array(repeating: [20.0, 22.0], count: 6).flatMap { $0 })
    }

    @Test func inputErrorsNameTheInput() throws {
        let interpreter = ReferenceInterpreter(graph: try embeddingGraph(), weights: tableStore())
        #expect(throws: InterpreterError.missingInput(name: "ids")) { try interpreter.run(inputs: [:], batch: 1) }
        #expect(throws: InterpreterError.inputShapeMismatch(name: "ids", expected: [2, 3], found: 3)) {
            try interpreter.run(inputs: ["ids": [0, 1, 2]], batch: 2)
        }
        #expect(throws: InterpreterError.unknownInput(name: "idz", known: ["ids"])) {
            try interpreter.run(inputs: ["ids": [0, 1, 2], "idz": [0]], batch: 1)
        }
        #expect(throws: InterpreterError.invalidBatch(0)) { try interpreter.run(inputs: ["ids": []], batch: 0) }
    }

    @Test func anOutOfRangeTokenIdNamesTheInputItemAndPosition() throws {
        let interpreter = ReferenceInterpreter(graph: try embeddingGraph(), weights: tableStore())
        let expected = InterpreterError.tokenIdOutOfRange(input: "ids", batchItem: 1, position: 2, value: 4, tableRows: 4)
        #expect(throws: expected) { try interpreter.run(inputs: ["ids": [0, 1, 2, 3, 3, 4]], batch: 2) }
        #expect(expected.description.contains("'ids'") && expected.description.contains("batch item 1"))
    }

    @Test func weightErrorsNameTheKey() throws {
        let graph = try embeddingGraph()
        #expect(throws: InterpreterError.missingWeight(key: "table")) {
            try ReferenceInterpreter(graph: graph, weights: nil).run(inputs: ["ids": [0, 0, 0]], batch: 1)
        }
        #expect(throws: InterpreterError.missingWeight(key: "table")) {
            try ReferenceInterpreter(graph: graph, weights: WeightStore()).run(inputs: ["ids": [0, 0, 0]], batch: 1)
        }
        #expect(throws: InterpreterError.weightShapeMismatch(key: "table", expected: [4, 2], found: [2, 4])) {
            try ReferenceInterpreter(graph: graph, weights: tableStore(shape: [2, 4])).run(inputs: ["ids": [0, 0, 0]], batch: 1)
        }
    }

    /// peakBytes follows run's freeing: ids (3B) and the table (8) are live when gather makes rows (6B); ids go,
    /// scale adds 6B more while rows is still live (96B + 64 bytes of Float64 at the peak), then rows goes.
    @Test func peakBytesFollowTheFreeingOrder() throws {
        let interpreter = ReferenceInterpreter(graph: try embeddingGraph(), weights: tableStore())
        #expect(interpreter.peakBytes(batch: 1) == 8 * (12 + 8))
        #expect(interpreter.peakBytes(batch: 1000) == 8 * (12 * 1000 + 8))
    }

    /// A batch whose values exceed the machine's memory is refused before any input is read or anything allocated.
    @Test func aBatchPastTheMachinesMemoryIsRefused() throws {
        let interpreter = ReferenceInterpreter(graph: try embeddingGraph(), weights: tableStore())
        let batch = 1 << 50
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        let expected = InterpreterError.batchTooLarge(batch: batch, peakBytes: interpreter.peakBytes(batch: batch),
                                                      memoryBytes: memory)
        #expect(throws: expected) { try interpreter.run(inputs: ["ids": []], batch: batch) }
        #expect(expected.description.hasPrefix("batch 1125899906842624 needs 100663296.0 GiB of Float64 values"),
                "\(expected)")
        #expect(expected.description.hasSuffix("use a smaller batch"), "\(expected)")
    }

    @Test func valuesUsedTwiceAndByLaterOpsSurviveFreeing() throws {
        // x is used by the first mul (twice) and again by the final add, after intermediate values died.
        var b = GraphBuilder(name: "reuse")
        let x = try b.constant([1, 2, 3], shape: [3])
        let sq = try b.add(.binary(.mul), [x, x])
        let cube = try b.add(.binary(.mul), [sq, x])
        b.output("y", try b.add(.binary(.add), [cube, x]))
        b.output("sq", sq, isProbe: true)
        let out = try ReferenceInterpreter(graph: b.graph, weights: nil).run(inputs: [:], batch: 1)
        #expect(out["y"]?.values == [2, 10, 30])
        #expect(out["sq"]?.values == [1, 4, 9])
    }

    @Test func opsNoOutputDependsOnAreSkipped() throws {
        // The dead weight is absent from the (nil) store, yet the graph runs.
        var b = GraphBuilder(name: "dead")
        _ = try b.add(.unary(.exp), [try b.weight("unused", shape: [2])])
        b.output("y", try b.add(.shift(1), [try b.constant([1, 2], shape: [2])]))
        let out = try ReferenceInterpreter(graph: b.graph, weights: nil).run(inputs: [:], batch: 3)
        #expect(out == ["y": Tensor64(shape: [2], values: [2, 3])])
    }
}

@Suite("ErrorMetrics")
struct ErrorMetricsTests {
    @Test func metricsOfAKnownDifference() {
        let m = ErrorMetrics.compare([1, 2, 3], [1, 2, 4])
        #expect(m.maxAbs == 1)
        #expect(Swift.abs(m.relL2 - 1 / 21.0.squareRoot()) < 1e-15)
        // Population std of [1, 2, 4]: variance 42/27.
        #expect(Swift.abs(m.std - (42.0 / 27).squareRoot()) < 1e-15)
        #expect(Swift.abs(m.maxAbsOverStd - 1 / (42.0 / 27).squareRoot()) < 1e-15)
        #expect(m.passes(tolerance: 0.81) && !m.passes(tolerance: 0.8))
    }

    @Test func identicalNaNAndMismatchedInputs() {
        let same = ErrorMetrics.compare([5, 5], [5, 5])
        #expect(same.maxAbs == 0 && same.relL2 == 0 && same.maxAbsOverStd == 0 && same.passes(tolerance: 0))
        #expect(!ErrorMetrics.compare([.nan, 1], [0, 1]).passes(tolerance: 1e9))
        let mismatched = ErrorMetrics.compare([1], [1, 2])
        #expect(mismatched.maxAbs == .infinity && !mismatched.passes(tolerance: 1e9))
    }
}
