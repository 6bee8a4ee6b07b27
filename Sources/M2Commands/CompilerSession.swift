import Foundation
import M2Frontend
import M2IR
import M2Passes
import M2Support
import M2Weights

/// A failure that has already been described to the user; the command exits with `code`.
public struct ReportedFailure: Error {
    public var code: Int32
    public init(code: Int32 = 1) { self.code = code }
}

/// The front half of the compiler as one object: elaborate the model, load and bind weights, run passes.
/// Commands build on it; tests drive it directly.
public struct CompilerSession {
    public var model: ElaboratedModel
    public var weights: WeightStore?
    public var renderer: DiagnosticRenderer
    /// Where messages go (stderr in the CLI, a string in tests).
    public var log: (String) -> Void

    /// A wrong checkpoint mismatches hundreds of tensors; the first few say enough.
    static let maxBindingErrorsShown = 8

    /// Elaborates `options.model` and loads its weights (files or random); binding errors are reported together.
    public static func open(_ options: ModelOptions, requireWeights: Bool,
                            log: @escaping (String) -> Void = Console.error) throws -> CompilerSession {
        let model: ElaboratedModel
        do {
            model = try Frontend.elaborate(file: options.model, options: options.elaborationOptions)
        } catch {
            log(DiagnosticRenderer(sources: error.sources).render(error.diagnostics))
            throw ReportedFailure()
        }
        var session = CompilerSession(model: model, weights: nil,
                                      renderer: DiagnosticRenderer(sources: model.sources), log: log)
        if let seed = options.randomWeights {
            let specs = model.graph.weights.map { (key: weightKey($0), shape: $0.type.shape) }
            try MemoryCheck.randomWeights(specs, model: model.modelName, log: log)
            session.weights = WeightStore([RandomWeights.make(specs: specs, seed: seed)])
        } else if !options.weights.isEmpty {
            let store = WeightStore()
            for path in options.weights {
                do { store.add(try SafetensorsFile(path: path)) } catch {
                    log("error: \(error.description)\n")
                    throw ReportedFailure()
                }
            }
            session.weights = store
        } else if requireWeights {
            log("error: this command needs weights: pass --weights FILE.safetensors (repeatable) or --random-weights SEED\n")
            throw ReportedFailure()
        }
        if let store = session.weights {
            let problems = WeightBinding.check(model.graph, against: store)
            if !problems.isEmpty {
                log(session.renderer.render(Array(problems.prefix(Self.maxBindingErrorsShown))))
                if problems.count > Self.maxBindingErrorsShown {
                    log("… and \(problems.count - Self.maxBindingErrorsShown) more weight problem(s)\n")
                }
                let errors = problems.filter { $0.severity == .error }.count
                if errors > 0 {
                    log("error: \(errors) weight tensor(s) do not fit the model \(model.modelName) (weights: \(options.weights.joined(separator: ", ")))\n")
                    throw ReportedFailure()
                }
            }
            // Checkpoint files only: random weights are finite by construction.
            let nonFinite = options.weights.isEmpty ? [] : NonFiniteWeights.check(model.graph, against: store, strict: options.strict)
            if !nonFinite.isEmpty {
                log(session.renderer.render(Array(nonFinite.prefix(Self.maxBindingErrorsShown))))
                if nonFinite.count > Self.maxBindingErrorsShown {
                    log("… and \(nonFinite.count - Self.maxBindingErrorsShown) more tensor(s) with NaN or infinite values\n")
                }
                if options.strict {
                    log("error: \(nonFinite.count) weight tensor(s) hold NaN or infinite values (--strict)\n")
                    throw ReportedFailure()
                }
            }
        }
        return session
    }

    /// Runs `passes` on the elaborated graph, verifying after each; `afterEach` sees every intermediate graph.
    public func runPasses(_ passes: [any Pass],
                          afterEach: (_ index: Int, _ pass: any Pass, _ graph: Graph) throws -> Void = { _, _, _ in }) throws -> Graph {
        var graph = model.graph
        var context = PassContext(weights: weights)
        do {
            try PassPipeline(passes).run(&graph, context: &context, afterEach: afterEach)
        } catch {
            log(renderer.render(context.diagnostics))
            log("error: \(error)\n")
            throw ReportedFailure()
        }
        if !context.diagnostics.isEmpty { log(renderer.render(context.diagnostics)) }
        return graph
    }

    /// `passes` (the front pipeline by default; `PassRegistry.cpuPipeline` for the CPU target), cut after the
    /// pass named `after` when given (the first pass of that name).
    public static func pipeline(_ passes: [any Pass] = PassRegistry.frontendPipeline, upTo after: String?) throws -> [any Pass] {
        let all = passes
        guard let after else { return all }
        if after == "elaborate" { return [] }
        guard let i = all.firstIndex(where: { $0.name == after }) else {
            let names = (["elaborate"] + all.map(\.name)).joined(separator: ", ")
            Console.error("error: no pass named '\(after)' in the pipeline (passes: \(names))\n")
            throw ReportedFailure()
        }
        return Array(all[...i])
    }

    private static func weightKey(_ op: Op) -> String {
        if case .weight(let key) = op.kind { return key }
        preconditionFailure("not a weight op")
    }
}

/// Output helpers for commands.
public enum Console {
    public static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
