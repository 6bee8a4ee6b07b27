import ArgumentParser
import Foundation
import M2IR

/// `m2c compile MODEL`: the front pipeline with IR dumps. Code generation (--target cpu|cuda) builds on it.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a model: run the pass pipeline, write the final IR (and the IR after every pass with --dump-ir).",
        discussion: "Code generation for --target cpu and --target cuda is not implemented yet; this version stops at the verified IR.")

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("dump-ir"), help: ArgumentHelp("Write the IR after every pass to DIR/NN-PASS.ir.", valueName: "DIR"))
    var dumpIR: String?

    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String = "build"

    @Option(help: "Target (cpu, cuda). Not implemented in this version.")
    var target: String?

    func run() throws {
        if let target {
            Console.error("error: code generation for --target \(target) is not implemented yet; run without --target to get the verified IR\n")
            throw ReportedFailure(code: 2)
        }
        let session = try CompilerSession.open(model, requireWeights: false)
        if let dumpIR { try makeDirectory(dumpIR) }
        try makeDirectory(output)
        func dump(_ index: Int, _ name: String, _ graph: Graph) throws {
            guard let dumpIR else { return }
            let file = "\(dumpIR)/\(String(format: "%02d", index))-\(name).ir"
            try writeOrPrint(IRPrinter.print(graph), to: file)
        }
        try dump(0, "elaborate", session.model.graph)
        let graph = try session.runPasses(try CompilerSession.pipeline(upTo: nil)) { i, pass, g in
            try dump(i + 1, pass.name, g)
        }
        let path = "\(output)/\(graph.name).ir"
        try writeOrPrint(IRPrinter.print(graph), to: path)
        Console.error("wrote \(path)\(dumpIR.map { " and per-pass dumps in \($0)" } ?? "")\n")
    }

    private func makeDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            Console.error("error: cannot create directory \(path): \(error.localizedDescription)\n")
            throw ReportedFailure()
        }
    }
}
