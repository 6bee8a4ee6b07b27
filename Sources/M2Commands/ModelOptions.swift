import Foundation
import ArgumentParser
import M2Frontend

/// Options every command that loads a model shares.
public struct ModelOptions: ParsableArguments {
    @Argument(help: "The .m2 model file.")
    public var model: String

    @Option(name: .customLong("param"), help: ArgumentHelp("Override a model parameter, e.g. --param seq_len=512 (repeatable).", valueName: "NAME=VALUE"))
    public var params: [String] = []

    @Option(name: .customLong("weights"), help: ArgumentHelp("A safetensors weights file (repeatable; files are merged, the first holding a key wins).", valueName: "FILE"))
    public var weights: [String] = []

    @Option(name: .customLong("random-weights"), help: ArgumentHelp("Use deterministic random weights of the right shapes instead of a weights file.", valueName: "SEED"))
    public var randomWeights: UInt64?

    @Option(name: .customLong("outputs"), help: ArgumentHelp("Comma-separated subset of the model's outputs to keep.", valueName: "NAMES"))
    public var outputs: String?

    @Flag(name: .customLong("probes"), help: "Keep the model's probes (debug intermediates) as extra outputs.")
    public var probes = false

    @Flag(name: .customLong("strict"), help: "Treat NaN or infinite weight values as errors (default: a warning per tensor).")
    public var strict = false

    public init() {}

    public func validate() throws {
        if randomWeights != nil && !weights.isEmpty {
            throw ValidationError("--weights and --random-weights exclude each other")
        }
        for p in params where !p.contains("=") {
            throw ValidationError("--param '\(p)' must have the form NAME=VALUE")
        }
    }

    var elaborationOptions: ElaborationOptions {
        var o = ElaborationOptions()
        for p in params {
            let parts = p.split(separator: "=", maxSplits: 1).map(String.init)
            o.paramOverrides[parts[0]] = ParamValue.parse(parts[1])
        }
        o.keepProbes = probes
        o.outputs = outputs.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return o
    }
}
