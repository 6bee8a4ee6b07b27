import ArgumentParser
import Foundation
import M2Import

/// `m2c import CONFIG.json -o model.m2`
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Write the .m2 model for an M2-BERT checkpoint's config.json.")

    @Argument(help: "The checkpoint's config.json.")
    var config: String

    @Option(name: .shortAndLong, help: "Output .m2 file (default: standard output).")
    var output: String?

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: config)) } catch {
            Console.error("\(config): error: cannot read: \(error.localizedDescription)\n")
            throw ReportedFailure()
        }
        let parsed: CheckpointConfig
        do { parsed = try CheckpointConfig.parse(data, path: config) } catch {
            Console.error("\(error.description)\n")
            throw ReportedFailure()
        }
        try writeOrPrint(ModelWriter.source(for: parsed, configPath: config), to: output)
    }
}
