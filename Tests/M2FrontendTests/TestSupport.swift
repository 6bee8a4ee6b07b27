import Foundation
import M2Frontend
import M2IR
import M2Support
import Testing

/// The repository root, found from this file's path (Tests/M2FrontendTests/…).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func examplePath(_ name: String) -> String { repositoryRoot.appendingPathComponent("examples/\(name)").path }

/// Elaborates inline source; a failure is recorded with the rendered diagnostics.
func elaborate(_ source: String, file: String = "test.m2", options: ElaborationOptions = ElaborationOptions(),
               sourceLocation: Testing.SourceLocation = #_sourceLocation) -> ElaboratedModel? {
    do {
        return try Frontend.elaborate(source: source, fileName: file, options: options)
    } catch {
        Issue.record("elaboration failed:\n\(DiagnosticRenderer(sources: error.sources).render(error.diagnostics))",
                     sourceLocation: sourceLocation)
        return nil
    }
}

/// Elaborates source that must fail; returns the diagnostics.
func diagnostics(_ source: String, file: String = "test.m2", options: ElaborationOptions = ElaborationOptions(),
                 sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
    do {
        _ = try Frontend.elaborate(source: source, fileName: file, options: options)
        Issue.record("expected elaboration to fail", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.diagnostics
    }
}

func render(_ ds: [Diagnostic], _ source: String, file: String = "test.m2") -> String {
    DiagnosticRenderer(sources: [file: source]).render(ds)
}

extension Graph {
    func output(_ name: String) -> GraphOutput? { outputs.first { $0.name == name } }
    func outputType(_ name: String) -> TensorType? { output(name).flatMap { type(of: $0.value) } }
    var weightKeys: [String: [Int]] {
        var keys: [String: [Int]] = [:]
        for op in weights { if case .weight(let key) = op.kind { keys[key] = op.type.shape } }
        return keys
    }
}
