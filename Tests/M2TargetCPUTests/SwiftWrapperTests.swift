import Foundation
import M2TargetCPU
import Testing

@Suite("CPU target: generated Swift wrapper")
struct SwiftWrapperTests {
    @Test("NAME.swift + module.modulemap compile with swiftc, run forward and map errors to the enum")
    func wrapperRuns() throws {
        let model = try TestModels.chain()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "chain")
        let harness = try CHarness(library, compiler: "gcc", cflags: "-O2", openMP: false)
        defer { harness.remove() }
        let ids = (model.inputs["input_ids"] ?? []).map { String(Int($0)) }.joined(separator: ", ")
        // Errors are matched inside `catch` blocks of a function: pattern-matching typed-throws errors in
        // top-level `catch` clauses crashes swiftc 6.3 (SILGen ownership verifier).
        let main = """
        func run() throws(ChainError) {
            let model = try ChainModel(weightsPath: CommandLine.arguments[1])
            let out = try model.forward(inputIds: [\(ids)], batch: \(model.batch))
            print("out last_hidden_state " + out.lastHiddenState.map { "\\($0)" }.joined(separator: " "))
            print("out pooled " + out.pooled.map { "\\($0)" }.joined(separator: " "))
            // Only the hidden state: the pooled output comes back empty (NULL to the C forward, its kernel skipped).
            let only = try model.forward(inputIds: [\(ids)], batch: \(model.batch), wanted: .lastHiddenState)
            print("only hidden: same \\(only.lastHiddenState == out.lastHiddenState), pooled empty \\(only.pooled.isEmpty)")
            do {
                _ = try model.forward(inputIds: [1, 2, 3, 4, 99], batch: 1)
            } catch {
                if case .tokenOutOfRange(let detail) = error { print("token error: \\(detail)") }
            }
            do {
                _ = try model.forward(inputIds: [1, 2], batch: 1)
            } catch {
                if case .badArgument(let detail) = error { print("argument error: \\(detail)") }
            }
            do {
                _ = try ChainModel(weightsPath: "/nonexistent.m2w")
            } catch {
                if case .io = error { print("io error") }
            }
        }
        try run()
        """
        try main.write(to: harness.directory.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        try CHarness.shell("swiftc -I . -L . chain.swift main.swift -o swift_driver", in: harness.directory)
        let (status, output) = try harness.run(harness.directory.appendingPathComponent("swift_driver"), [harness.weightsPath])
        #expect(status == 0, "\(output)")
        let expected = try ReferenceEvaluator(graph: model.graph, weights: model.weights, inputs: model.inputs,
                                              batch: model.batch).outputs()
        for (name, err) in maxRelativeError(parseOutputs(output), expected) {
            #expect(err <= 1e-5, "\(name) differs by \(err)")
        }
        #expect(output.contains("token error: input 'input_ids': id 99 at item 0, position 4"))
        #expect(output.contains("argument error: input_ids: expected 5 elements"))
        #expect(output.contains("io error"))
        #expect(output.contains("only hidden: same true, pooled empty true"))
    }
}
