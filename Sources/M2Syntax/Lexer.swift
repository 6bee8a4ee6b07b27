import M2Support

/// Turns `.m2` source text into tokens. Newlines end statements except inside `()` and `[]`,
/// so long calls and lists may wrap; the lexer drops those newlines itself by tracking bracket
/// nesting. Errors (bad characters, unterminated strings, malformed numbers) become diagnostics
/// and lexing continues, so one run reports all of them.
public struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line: Int
    private var column: Int
    private let file: String
    /// Open brackets, innermost last. Newlines count only at the top level or directly inside `{`.
    private var brackets: [Unicode.Scalar] = []
    public private(set) var diagnostics: [Diagnostic] = []

    /// `start` lets the parser lex an interpolated `{expr}` at its position inside a string.
    public init(_ text: String, file: String, start: SourceLocation? = nil) {
        scalars = Array(text.unicodeScalars)
        self.file = file
        line = start?.line ?? 1
        column = start?.column ?? 1
    }

    public static func tokenize(_ text: String, file: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(text, file: file)
        let tokens = lexer.tokenizeAll()
        return (tokens, lexer.diagnostics)
    }

    public mutating func tokenizeAll() -> [Token] {
        var out: [Token] = []
        while true {
            let t = next()
            // Collapse runs of statement ends; the parser treats one like many.
            if t.kind == .newline, out.last?.kind == .newline || out.isEmpty { continue }
            out.append(t)
            if t.kind == .endOfFile { return out }
        }
    }

    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    private var newlinesSignificant: Bool {
        guard let top = brackets.last else { return true }
        return top == "{"
    }

    private mutating func error(_ message: String, at loc: SourceLocation, length: Int = 1, hint: String? = nil) {
        diagnostics.append(.error(message, at: loc, length: length, hint: hint))
    }

    public mutating func next() -> Token {
        while let c = peek() {
            let start = here
            switch c {
            case " ", "\t", "\r":
                advance()
            case "#":
                while let d = peek(), d != "\n" { advance() }
            case "\n":
                advance()
                if newlinesSignificant { return Token(.newline, SourceRange(start)) }
            case ";":
                advance()
                return Token(.newline, SourceRange(start))
            case "\"":
                return lexString()
            case _ where c.properties.isAlphabetic || c == "_":
                return lexWord()
            case "0"..."9":
                return lexNumber()
            default:
                if let sym = lexSymbol() { return sym }
                advance()
                error("unexpected character '\(c)'", at: start)
            }
        }
        return Token(.endOfFile, SourceRange(here))
    }

    private mutating func lexWord() -> Token {
        let start = here
        var s = ""
        while let c = peek(), c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) {
            s.unicodeScalars.append(c)
            advance()
        }
        let range = SourceRange(start, length: s.unicodeScalars.count)
        if let k = Keyword(rawValue: s) { return Token(.keyword(k), range) }
        return Token(.identifier(s), range)
    }

    private mutating func lexNumber() -> Token {
        let start = here
        var digits = ""
        var isFloat = false
        func takeDigits(_ lexer: inout Lexer, into s: inout String) {
            while let c = lexer.peek(), ("0"..."9").contains(c) || c == "_" {
                if c != "_" { s.unicodeScalars.append(c) }
                lexer.advance()
            }
        }
        takeDigits(&self, into: &digits)
        // `0..<n`: a '.' followed by another '.' belongs to the range operator.
        if peek() == ".", let d = peek(1), ("0"..."9").contains(d) {
            isFloat = true
            digits += "."
            advance()
            takeDigits(&self, into: &digits)
        }
        if let e = peek(), e == "e" || e == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if let d = peek(signed ? 2 : 1), ("0"..."9").contains(d) {
                isFloat = true
                digits += "e"
                advance()
                if signed { digits.unicodeScalars.append(peek()!); advance() }
                takeDigits(&self, into: &digits)
            }
        }
        let length = column - start.column  // numbers never span lines
        let range = SourceRange(start, length: length)
        if let c = peek(), c.properties.isAlphabetic {
            error("invalid character '\(c)' in number", at: here)
        }
        if isFloat {
            guard let v = Double(digits) else {
                error("malformed number '\(digits)'", at: start, length: length)
                return Token(.float(0), range)
            }
            return Token(.float(v), range)
        }
        guard let v = Int(digits) else {
            error("integer literal '\(digits)' is too large", at: start, length: length)
            return Token(.int(0), range)
        }
        return Token(.int(v), range)
    }

    private mutating func lexString() -> Token {
        let start = here
        advance()  // opening quote
        var parts: [StringPart] = []
        var text = ""
        while true {
            guard let c = peek(), c != "\n" else {
                error("unterminated string literal", at: start, hint: "close the string with '\"' on the same line")
                break
            }
            if c == "\"" { advance(); break }
            if c == "\\" {
                let escLoc = here
                advance()
                guard let e = peek(), e != "\n" else { continue }
                advance()
                switch e {
                case "n": text += "\n"
                case "t": text += "\t"
                case "\\", "\"", "{", "}": text.unicodeScalars.append(e)
                default: error("unknown escape sequence '\\\(e)'", at: escLoc, length: 2)
                }
                continue
            }
            if c == "{" {
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                advance()
                let exprStart = here
                var source = ""
                var depth = 0
                while let d = peek(), d != "\n", d != "\"", !(d == "}" && depth == 0) {
                    if d == "{" { depth += 1 } else if d == "}" { depth -= 1 }
                    source.unicodeScalars.append(d)
                    advance()
                }
                if peek() == "}" {
                    advance()
                } else {
                    error("unterminated interpolation in string", at: exprStart, hint: "close it with '}'")
                }
                parts.append(.interpolation(source: source, start: exprStart))
                continue
            }
            text.unicodeScalars.append(c)
            advance()
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
        let length = start.line == line ? column - start.column : 1
        return Token(.string(parts), SourceRange(start, length: length))
    }

    private static let symbols: [String] = [
        "..<", "//", "==", "!=", "<=", ">=",
        "(", ")", "[", "]", "{", "}", ",", ":", "=", "@", "+", "-", "*", "/", "%", "<", ">",
    ]

    private mutating func lexSymbol() -> Token? {
        let start = here
        for sym in Self.symbols {
            let s = Array(sym.unicodeScalars)
            guard index + s.count <= scalars.count, Array(scalars[index..<index + s.count]) == s else { continue }
            for _ in s { advance() }
            track(sym)
            return Token(.symbol(sym), SourceRange(start, length: s.count))
        }
        return nil
    }

    private mutating func track(_ sym: String) {
        switch sym {
        case "(", "[", "{": brackets.append(sym.unicodeScalars.first!)
        case ")", "]":
            if let top = brackets.last, top != "{" { brackets.removeLast() }
        case "}":
            // Close anything left open inside this brace, so one missing ')' does not swallow the file's newlines.
            while let top = brackets.popLast(), top != "{" {}
        default: break
        }
    }
}
