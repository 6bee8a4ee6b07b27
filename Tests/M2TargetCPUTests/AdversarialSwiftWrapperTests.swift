import Foundation
import M2TargetCPU
import Testing

/// The generated Swift wrapper on arguments the C API refuses: negative and too-large token ids, batch 0
/// and negative, empty and short inputs, a missing or corrupted weights file. Each is a typed error with the
/// library's message; none traps (a negative array count would, without the wrapper's checks).
@Suite("CPU target: Swift wrapper on hostile arguments")
struct AdversarialSwiftWrapperTests {
    @Test func everyBadArgumentIsATypedError() throws {
        let model = try TestModels.chain()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "chain")
        let harness = try CHarness(library, compiler: "gcc", cflags: "-O2", openMP: false)
        defer { harness.remove() }
        var corrupted = library.files["chain.m2w"] ?? []
        corrupted[corrupted.count / 2] ^= 1
        try Data(corrupted).write(to: harness.directory.appendingPathComponent("corrupted.m2w"))
        // Each case prints "<name>: <error case>"; `catch` inside a function (see SwiftWrapperTests).
        let main = """
        func attempt(_ name: String, _ body: () throws -> Void) {
            do { try body(); print("\\(name): accepted") } catch {
                guard let error = error as? ChainError else { print("\\(name): untyped \\(error)"); return }
                switch error {
                case .tokenOutOfRange(let d): print("\\(name): tokenOutOfRange \\(d)")
                case .badArgument(let d): print("\\(name): badArgument \\(d)")
                case .checksum: print("\\(name): checksum")
                case .io: print("\\(name): io")
                default: print("\\(name): other \\(error)")
                }
            }
        }
        func run() throws(ChainError) {
            let model = try ChainModel(weightsPath: CommandLine.arguments[1])
            let ids: [Int32] = [1, 2, 3, 4, 5]
            attempt("valid") { _ = try model.forward(inputIds: ids, batch: 1) }
            attempt("negative id") { _ = try model.forward(inputIds: [1, 2, -1, 4, 5], batch: 1) }
            attempt("id = vocab") { _ = try model.forward(inputIds: [1, 2, 3, 4, 11], batch: 1) }
            attempt("id = Int32.max") { _ = try model.forward(inputIds: [Int32.max, 2, 3, 4, 5], batch: 1) }
            attempt("batch 0") { _ = try model.forward(inputIds: [], batch: 0) }
            attempt("batch -1") { _ = try model.forward(inputIds: ids, batch: -1) }
            attempt("huge batch") { _ = try model.forward(inputIds: ids, batch: Int.max) }
            attempt("empty ids") { _ = try model.forward(inputIds: [], batch: 1) }
            attempt("short ids") { _ = try model.forward(inputIds: ids, batch: 2) }
            attempt("threads 0") { try model.setNumThreads(0) }
            attempt("missing file") { _ = try ChainModel(weightsPath: "/nonexistent/chain.m2w") }
            attempt("corrupted file") { _ = try ChainModel(weightsPath: CommandLine.arguments[2]) }
        }
        try run()
        """
        try main.write(to: harness.directory.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        try CHarness.shell("swiftc -I . -L . chain.swift main.swift -o swift_driver", in: harness.directory)
        let (status, output) = try harness.run(harness.directory.appendingPathComponent("swift_driver"),
                                               [harness.weightsPath, harness.directory.appendingPathComponent("corrupted.m2w").path])
        #expect(status == 0, "\(output)")
        let expected: [(String, String)] = [
            ("valid", "accepted"),
            ("negative id", "tokenOutOfRange input 'input_ids': id -1 at item 0, position 2"),
            ("id = vocab", "tokenOutOfRange input 'input_ids': id 11 at item 0, position 4"),
            ("id = Int32.max", "tokenOutOfRange"),
            ("batch 0", "badArgument batch must be at least 1, got 0"),
            ("batch -1", "badArgument batch must be at least 1, got -1"),
            ("huge batch", "badArgument"),
            ("empty ids", "badArgument input_ids: expected 5 elements"),
            ("short ids", "badArgument input_ids: expected 10 elements"),
            ("threads 0", "badArgument"),
            ("missing file", "io"),
            ("corrupted file", "checksum"),
        ]
        for (name, result) in expected {
            #expect(output.contains("\(name): \(result)"), "\(name): \(output)")
        }
    }
}
