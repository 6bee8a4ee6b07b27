/// One compiler message. Rendered as
///
///     model.m2:12:7: error: unknown block 'glu_mpl'
///        x = glu_mpl(x)
///            ^~~~~~~
///     hint: did you mean 'glu_mlp'?
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case note, warning, error
        public static func < (a: Severity, b: Severity) -> Bool {
            let order: [Severity] = [.note, .warning, .error]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    public var severity: Severity
    public var message: String
    public var range: SourceRange?
    public var hint: String?
    /// Secondary locations ("note: block defined here").
    public var notes: [Diagnostic]

    public init(_ severity: Severity, _ message: String, at range: SourceRange? = nil,
                hint: String? = nil, notes: [Diagnostic] = []) {
        self.severity = severity
        self.message = message
        self.range = range
        self.hint = hint
        self.notes = notes
    }

    public static func error(_ message: String, at location: SourceLocation?, length: Int = 1,
                             hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location.map { SourceRange($0, length: length) }, hint: hint)
    }

    public var location: SourceLocation? { range?.start }

    /// One-line form without source excerpt: `file:line:col: error: message`.
    public var description: String {
        var s = ""
        if let loc = range?.start { s += "\(loc): " }
        s += "\(severity.rawValue): \(message)"
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}

/// Several diagnostics thrown together, so one run can report every error it found.
/// `sources` (file name → text) lets a caller render the diagnostics with source excerpts.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var sources: [String: String]
    public init(_ diagnostics: [Diagnostic], sources: [String: String] = [:]) {
        self.diagnostics = diagnostics
        self.sources = sources
    }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
