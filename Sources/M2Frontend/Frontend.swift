import Foundation
import M2IR
import M2Support
import M2Syntax

/// Entry points: `.m2` source → IR graph. Errors are thrown together as one `DiagnosticError`
/// whose `sources` hold every file read, so callers can render excerpts.
public enum Frontend {
    public static func elaborate(file path: String, options: ElaborationOptions) throws(DiagnosticError) -> ElaboratedModel {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DiagnosticError([Diagnostic(.error, "cannot read '\(path)'")])
        }
        return try elaborate(source: text, fileName: path, options: options)
    }

    public static func elaborate(source: String, fileName: String, options: ElaborationOptions) throws(DiagnosticError) -> ElaboratedModel {
        var loader = SourceLoader()
        loader.loadPrelude()
        let main = loader.load(text: source, file: fileName)
        if !loader.diagnostics.isEmpty {
            throw DiagnosticError(loader.diagnostics, sources: loader.sources)
        }
        guard let model = main.models.first else {
            throw DiagnosticError([Diagnostic(.error, "'\(fileName)' defines no model",
                                              at: SourceRange(SourceLocation(file: fileName, line: 1, column: 1)),
                                              hint: "add 'model name(params) { … }'")], sources: loader.sources)
        }
        let elaborator = Elaborator(modelName: model.name, blocks: loader.blocks, options: options)
        guard let result = elaborator.elaborate(model) else {
            throw DiagnosticError(elaborator.sink.all, sources: loader.sources)
        }
        return ElaboratedModel(graph: result.graph, modelName: model.name, params: result.params, sources: loader.sources)
    }
}
