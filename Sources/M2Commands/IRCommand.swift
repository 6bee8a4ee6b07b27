import ArgumentParser
import Foundation
import M2IR
import M2Passes

/// `m2c ir MODEL`: prints the IR (text or Graphviz) after the front pipeline or after a named pass.
struct IRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ir", abstract: "Print a model's IR after the front pipeline (or after one pass).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, dot }
    enum Target: String, ExpressibleByArgument, CaseIterable { case cpu, cuda }

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("Stop after this pass ('elaborate' = before any pass). See `m2c passes`.", valueName: "PASS"))
    var after: String?

    @Option(help: "Show the IR as this target's pipeline lowers it (cpu: long convolutions in Monarch-FFT form; cuda: also the per-op storage precision); default: the front pipeline.")
    var target: Target?

    @OptionGroup var cpu: CPUTargetOptions

    @OptionGroup var cuda: CUDATargetOptions

    @Option(help: "Output format: text (MLIR-like dump) or dot (Graphviz).")
    var format: Format = .text

    @Flag(help: "Append each op's .m2 source location.")
    var locations = false

    @Flag(help: "Append each op's scope name (weight prefix / variable).")
    var names = false

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let session = try CompilerSession.open(model, requireWeights: false)
        let passes = target == .cpu ? cpu.pipeline : target == .cuda ? cuda.pipeline(cpu) : PassRegistry.frontendPipeline
        let graph = try session.runPasses(try CompilerSession.pipeline(passes, upTo: after))
        let text: String
        switch format {
        case .text: text = IRPrinter.print(graph, options: .init(locations: locations, names: names))
        case .dot: text = DotPrinter.render(graph)
        }
        try writeOrPrint(text, to: output)
    }
}

func writeOrPrint(_ text: String, to path: String?) throws {
    guard let path else { print(text, terminator: text.hasSuffix("\n") ? "" : "\n"); return }
    do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        Console.error("error: cannot write \(path): \(error.localizedDescription)\n")
        throw ReportedFailure()
    }
}
