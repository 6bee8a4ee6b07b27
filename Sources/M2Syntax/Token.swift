import M2Support

/// The kinds of lexical tokens of the `.m2` language.
public enum TokenKind: Hashable, Sendable {
    case identifier(String)
    case keyword(Keyword)
    case int(Int)
    case float(Double)
    case string([StringPart])
    /// Punctuation and operators, spelled as in the source (`(`, `..<`, `//`, `==`, …).
    case symbol(String)
    /// End of a statement: a newline outside `()`/`[]`, or `;`.
    case newline
    case endOfFile
}

public enum Keyword: String, Hashable, Sendable, CaseIterable {
    case `import`, block, model, `let`, `for`, `in`, `if`, `else`, `return`, probe, input, output
    case and, or, not, `true`, `false`
}

/// A piece of a string literal: plain text, or the source of an interpolated `{expr}` with the
/// location of its first character (so the expression's diagnostics point into the string).
public enum StringPart: Hashable, Sendable {
    case text(String)
    case interpolation(source: String, start: SourceLocation)
}

public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    public var range: SourceRange

    public init(_ kind: TokenKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    public var location: SourceLocation { range.start }

    /// How the token reads in a diagnostic ("expected ')', found 'let'").
    public var spelling: String {
        switch kind {
        case .identifier(let s): return "'\(s)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .int(let v): return "'\(v)'"
        case .float(let v): return "'\(v)'"
        case .string: return "string literal"
        case .symbol(let s): return "'\(s)'"
        case .newline: return "end of line"
        case .endOfFile: return "end of file"
        }
    }

    public func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }
    public func isKeyword(_ k: Keyword) -> Bool { kind == .keyword(k) }
}
