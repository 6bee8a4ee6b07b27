import M2IR

public enum PassError: Error, Sendable, CustomStringConvertible {
    /// The graph broke an IR invariant after `pass` ran (`pass` is "(input)" when it was broken before any pass).
    case verificationFailed(pass: String, errors: [VerifierError])
    /// A pass name that is not in the pipeline or registry.
    case unknownPass(name: String, known: [String])

    public var description: String {
        switch self {
        case .verificationFailed(let pass, let errors):
            let when = pass == PassPipeline.inputStage ? "the input IR is invalid" : "IR is invalid after pass '\(pass)'"
            return "\(when) (\(errors.count) error\(errors.count == 1 ? "" : "s")):\n"
                + errors.flatMap { $0.description.split(separator: "\n").map { "  " + $0 } }.joined(separator: "\n")
        case .unknownPass(let name, let known):
            return "unknown pass '\(name)'; known passes: \(known.joined(separator: ", "))"
        }
    }
}

/// An ordered list of passes with the verifier run before the first pass and after each one, so a
/// broken invariant is blamed on the pass that broke it.
public struct PassPipeline {
    /// The name under which verification of the incoming graph is reported.
    public static let inputStage = "(input)"

    public var passes: [any Pass]
    public var verifyEach = true

    public init(_ passes: [any Pass], verifyEach: Bool = true) {
        self.passes = passes
        self.verifyEach = verifyEach
    }

    /// Parses `"dce,canonicalize"` into a pipeline of registered passes.
    public init(parsing list: String, verifyEach: Bool = true) throws(PassError) {
        var passes: [any Pass] = []
        for name in list.split(separator: ",").map({ $0.filter { !$0.isWhitespace } }) where !name.isEmpty {
            guard let pass = PassRegistry.named(name) else {
                throw PassError.unknownPass(name: name, known: PassRegistry.all.map(\.name))
            }
            passes.append(pass)
        }
        self.init(passes, verifyEach: verifyEach)
    }

    public func run(_ graph: inout Graph, context: inout PassContext,
                    afterEach: (_ index: Int, _ pass: any Pass, _ graph: Graph) throws -> Void = { _, _, _ in }) throws {
        if verifyEach { try check(graph, after: Self.inputStage) }
        for (index, pass) in passes.enumerated() {
            try pass.run(&graph, &context)
            if verifyEach { try check(graph, after: pass.name) }
            try afterEach(index, pass, graph)
        }
    }

    /// Runs the passes up to and including the first one named `name` (`m2c ir --after NAME`).
    public func run(upTo name: String, _ graph: inout Graph, context: inout PassContext) throws {
        try prefix(through: name).run(&graph, context: &context)
    }

    /// The pipeline cut after the first pass named `name`; an unknown name lists this pipeline's passes.
    public func prefix(through name: String) throws(PassError) -> PassPipeline {
        guard let last = passes.firstIndex(where: { $0.name == name }) else {
            throw PassError.unknownPass(name: name, known: passes.map(\.name))
        }
        return PassPipeline(Array(passes[...last]), verifyEach: verifyEach)
    }

    private func check(_ graph: Graph, after stage: String) throws(PassError) {
        let errors = Verifier.verify(graph)
        guard errors.isEmpty else { throw PassError.verificationFailed(pass: stage, errors: errors) }
    }
}
