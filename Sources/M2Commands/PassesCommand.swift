import ArgumentParser
import M2Frontend
import M2Passes

/// `m2c passes`: the registered passes, in front-pipeline order first.
struct PassesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passes", abstract: "List the IR passes.")

    func run() throws {
        let pipeline = PassRegistry.frontendPipeline.map(\.name)
        print("front pipeline: elaborate → \(pipeline.joined(separator: " → "))")
        print("cpu pipeline:   elaborate → \(PassRegistry.cpuPipeline.map(\.name).joined(separator: " → "))\n")
        let width = PassRegistry.all.map(\.name.count).max() ?? 0
        for p in PassRegistry.all {
            print("  \(p.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.summary)")
        }
        print("\nfusion rules (pass fuse; --disable-fusion RULE, --no-fusion):")
        for rule in FusionRules.names { print("  \(rule)") }
    }
}

/// `m2c prelude`: the standard blocks every .m2 file can call.
struct PreludeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prelude", abstract: "Print the standard block prelude (.m2 source).")

    func run() throws { print(Prelude.source, terminator: "") }
}
