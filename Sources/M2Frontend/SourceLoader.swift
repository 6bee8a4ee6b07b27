import Foundation
import M2Support
import M2Syntax

/// Reads and parses the prelude, a main file and everything it imports (each file once), and
/// collects their block definitions into one namespace.
struct SourceLoader {
    static let preludeFileName = "<prelude>"

    private(set) var sources: [String: String] = [:]
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var blocks: [String: BlockDecl] = [:]

    mutating func loadPrelude() {
        _ = load(text: Prelude.source, file: Self.preludeFileName)
    }

    /// Parses one file and, recursively, its imports (paths relative to the importing file).
    mutating func load(text: String, file: String) -> SourceFile {
        sources[file] = text
        let (parsed, errors) = Parser.parse(text, file: file)
        diagnostics += errors
        for b in parsed.blocks { define(b) }
        let directory = (file as NSString).deletingLastPathComponent
        for imp in parsed.imports {
            let path = imp.path.hasPrefix("/") || directory.isEmpty ? imp.path : "\(directory)/\(imp.path)"
            let normalized = (path as NSString).standardizingPath
            if sources[normalized] != nil { continue }
            guard let importedText = try? String(contentsOfFile: normalized, encoding: .utf8) else {
                diagnostics.append(Diagnostic(.error, "cannot read imported file '\(imp.path)'", at: imp.range,
                                              hint: "looked for \(normalized)"))
                continue
            }
            _ = load(text: importedText, file: normalized)
        }
        return parsed
    }

    private mutating func define(_ b: BlockDecl) {
        if let previous = blocks[b.name] {
            let where_ = previous.range.start.file == Self.preludeFileName ? " in the prelude" : ""
            diagnostics.append(Diagnostic(.error, "block '\(b.name)' is already defined\(where_)", at: b.range,
                                          hint: "rename the block",
                                          notes: [Diagnostic(.note, "previous definition here", at: previous.range)]))
            return
        }
        if b.name.first?.isUppercase != true {
            diagnostics.append(Diagnostic(.error, "block names start with a capital letter: '\(b.name)'", at: b.range,
                                          hint: "lowercase names are reserved for builtins and primitives"))
        }
        blocks[b.name] = b
    }
}
