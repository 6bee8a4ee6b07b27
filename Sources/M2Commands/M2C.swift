import ArgumentParser
import Foundation

public struct M2C: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "m2c",
        abstract: "Ahead-of-time compiler for Monarch Mixer (M2) models.",
        discussion: """
        Typical use:
          m2c import checkpoint/config.json -o model.m2     # .m2 for a released M2-BERT checkpoint
          m2c ir model.m2 --random-weights 1                # the IR after the front pipeline
          m2c run model.m2 --weights w.safetensors --inputs in.safetensors -o out.safetensors
        """,
        version: M2CVersion.string,
        subcommands: [CompileCommand.self, VerifyCommand.self, RunCommand.self, BenchCommand.self, IRCommand.self, ImportCommand.self,
                      PassesCommand.self, PreludeCommand.self])
    public init() {}

    /// Entry point that maps already-reported failures to exit codes without a second message.
    public static func mainWithExitCode() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch let failure as ReportedFailure {
            Foundation.exit(failure.code)
        } catch {
            exit(withError: error)
        }
    }
}

public enum M2CVersion {
    public static let string = "0.1.0"
}
