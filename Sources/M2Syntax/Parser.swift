import M2Support

/// Recursive-descent parser for `.m2` files. It records every error it meets and recovers at
/// statement boundaries (the next newline or `;` at the same nesting, or the closing `}`), so a
/// file with several mistakes reports them all in one run. Nesting deeper than `maxNesting`
/// is reported as an error instead of exhausting the stack.
public struct Parser {
    public static let maxNesting = 256

    private var tokens: [Token]
    private var pos = 0
    private let file: String
    private var depth = 0
    public private(set) var diagnostics: [Diagnostic] = []

    /// Raised after a diagnostic has been recorded; unwinds to the nearest recovery point.
    private struct Failure: Error {}

    public init(tokens: [Token], file: String) {
        self.tokens = tokens
        self.file = file
    }

    /// Lexes and parses a whole file. The result is usable even when diagnostics are present
    /// (statements that failed to parse are left out).
    public static func parse(_ text: String, file: String) -> (file: SourceFile, diagnostics: [Diagnostic]) {
        let (tokens, lexErrors) = Lexer.tokenize(text, file: file)
        var parser = Parser(tokens: tokens, file: file)
        let source = parser.parseFile()
        return (source, inSourceOrder(lexErrors + parser.diagnostics))
    }

    /// Lexer and parser errors interleaved by position (stable for equal positions).
    private static func inSourceOrder(_ ds: [Diagnostic]) -> [Diagnostic] {
        ds.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            let ka = (la?.line ?? .max, la?.column ?? .max, a.offset), kb = (lb?.line ?? .max, lb?.column ?? .max, b.offset)
            return ka < kb
        }.map(\.element)
    }

    /// Parses one expression (used by tests and tools); trailing tokens are an error.
    public static func parseExpression(_ text: String, file: String) -> (expr: Expr?, diagnostics: [Diagnostic]) {
        let (tokens, lexErrors) = Lexer.tokenize(text, file: file)
        var parser = Parser(tokens: tokens, file: file)
        let e = try? parser.parseStandaloneExpression()
        return (e, lexErrors + parser.diagnostics)
    }

    // MARK: Token access

    private var current: Token { tokens[pos] }
    private var atEnd: Bool { current.kind == .endOfFile }
    private func peek(_ n: Int) -> Token { tokens[min(pos + n, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    private mutating func skipNewlines() {
        while current.kind == .newline { advance() }
    }

    private mutating func fail(_ message: String, at range: SourceRange? = nil, hint: String? = nil) -> Failure {
        diagnostics.append(Diagnostic(.error, message, at: range ?? current.range, hint: hint))
        return Failure()
    }

    @discardableResult
    private mutating func expect(_ symbol: String, _ context: String) throws(Failure) -> Token {
        guard current.isSymbol(symbol) else {
            throw fail("expected '\(symbol)' \(context), found \(current.spelling)", at: missingTokenRange)
        }
        return advance()
    }

    /// Where a missing token belongs: right after the previous token when the parser has already
    /// moved to another line (a forgotten ')' is reported where it was forgotten).
    private var missingTokenRange: SourceRange {
        guard pos > 0 else { return current.range }
        let previous = tokens[pos - 1].range
        guard previous.start.line != current.range.start.line, tokens[pos - 1].kind != .newline else { return current.range }
        var end = previous.start
        end.column += previous.length
        return SourceRange(end)
    }

    private mutating func expectIdentifier(_ context: String) throws(Failure) -> Binding {
        guard case .identifier(let name) = current.kind else {
            let hint: String? = if case .keyword(let k) = current.kind { "'\(k.rawValue)' is a reserved word" } else { nil }
            throw fail("expected a name \(context), found \(current.spelling)", hint: hint)
        }
        return Binding(name: name, range: advance().range)
    }

    private mutating func nested<T>(_ range: SourceRange, _ body: (inout Parser) throws(Failure) -> T) throws(Failure) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxNesting else {
            throw fail("nesting is too deep (more than \(Self.maxNesting) levels)", at: range,
                       hint: "split the expression with 'let'")
        }
        return try body(&self)
    }

    // MARK: Declarations

    public mutating func parseFile() -> SourceFile {
        var result = SourceFile(file: file)
        while true {
            skipNewlines()
            if atEnd { return result }
            do throws(Failure) {
                switch current.kind {
                case .keyword(.import):
                    let kw = advance()
                    guard case .string(let parts) = current.kind, parts.count == 1, case .text(let path) = parts[0] else {
                        throw fail("expected a file name string after 'import', found \(current.spelling)")
                    }
                    advance()
                    result.imports.append(Import(path: path, range: kw.range))
                    try endOfStatement()
                case .keyword(.block):
                    advance()
                    let name = try expectIdentifier("for the block")
                    let params = try parseParams(required: true)
                    let body = try parseBody()
                    result.blocks.append(BlockDecl(name: name.name, range: name.range, params: params, body: body))
                case .keyword(.model):
                    advance()
                    let name = try expectIdentifier("for the model")
                    let params = current.isSymbol("(") ? try parseParams(required: true) : []
                    let body = try parseBody()
                    if result.models.count == 1 {
                        diagnostics.append(Diagnostic(.error, "a file may define only one model", at: name.range,
                                                      notes: [Diagnostic(.note, "first model defined here", at: result.models[0].range)]))
                    }
                    result.models.append(ModelDecl(name: name.name, range: name.range, params: params, body: body))
                default:
                    throw fail("expected 'import', 'block' or 'model' at top level, found \(current.spelling)")
                }
            } catch {
                recoverAtTopLevel()
            }
        }
    }

    /// Skips to the next line that starts a declaration.
    private mutating func recoverAtTopLevel() {
        var braces = 0
        while !atEnd {
            let t = advance()
            if t.isSymbol("{") { braces += 1 }
            if t.isSymbol("}") { braces = max(0, braces - 1) }
            if braces == 0, t.kind == .newline || t.isSymbol("}"),
               current.isKeyword(.block) || current.isKeyword(.model) || current.isKeyword(.import) {
                return
            }
        }
    }

    private mutating func parseParams(required: Bool) throws(Failure) -> [Param] {
        try expect("(", "to start the parameter list")
        var params: [Param] = []
        while !current.isSymbol(")") {
            let name = try expectIdentifier("for a parameter")
            var type: TypeAnnotation?
            if current.isSymbol(":") {
                advance()
                type = try parseType()
            }
            var defaultValue: Expr?
            if current.isSymbol("=") {
                advance()
                defaultValue = try parseExpression()
            }
            if let dup = params.first(where: { $0.name == name.name }) {
                diagnostics.append(Diagnostic(.error, "duplicate parameter '\(name.name)'", at: name.range,
                                              notes: [Diagnostic(.note, "first declared here", at: dup.range)]))
            }
            params.append(Param(name: name.name, range: name.range, type: type, defaultValue: defaultValue))
            if !current.isSymbol(",") { break }
            advance()
        }
        try expect(")", "to end the parameter list")
        return params
    }

    private static let scalarTypes: [String: TypeAnnotation] = ["int": .int, "float": .float, "bool": .bool, "string": .string]
    private static let tensorTypes = ["f32", "i32"]

    private mutating func parseType() throws(Failure) -> TypeAnnotation {
        guard case .identifier(let name) = current.kind else {
            throw fail("expected a type, found \(current.spelling)")
        }
        let nameToken = advance()
        if let t = Self.scalarTypes[name] { return t }
        guard Self.tensorTypes.contains(name) else {
            let all = Array(Self.scalarTypes.keys) + Self.tensorTypes
            throw fail("unknown type '\(name)'", at: nameToken.range,
                       hint: closestMatch(to: name, in: all).map { "did you mean '\($0)'?" }
                           ?? "types are int, float, bool, string, f32[...], i32[...]")
        }
        try expect("[", "after '\(name)' (tensor types list their dimensions, e.g. \(name)[L, H])")
        var dims: [Expr] = []
        while !current.isSymbol("]") {
            dims.append(try parseExpression())
            if !current.isSymbol(",") { break }
            advance()
        }
        try expect("]", "to end the dimension list")
        return .tensor(dtype: name, dims: dims, range: nameToken.range)
    }

    // MARK: Statements

    private mutating func parseBody() throws(Failure) -> [Stmt] {
        let open = try expect("{", "to start the body")
        return try nested(open.range) { (p: inout Parser) throws(Failure) in
            var stmts: [Stmt] = []
            while true {
                p.skipNewlines()
                if p.current.isSymbol("}") { p.advance(); return stmts }
                if p.atEnd { throw p.fail("expected '}' to close the body opened here", at: open.range) }
                do throws(Failure) {
                    stmts.append(try p.parseStatement())
                    try p.endOfStatement()
                } catch {
                    p.recoverInBody()
                }
            }
        }
    }

    private mutating func endOfStatement() throws(Failure) {
        if current.kind == .newline { advance(); return }
        if current.isSymbol("}") || atEnd { return }
        throw fail("expected end of statement, found \(current.spelling)", hint: "put each statement on its own line or separate them with ';'")
    }

    /// Skips the rest of a broken statement, including any `{ … }` it opened, stopping before the
    /// body's closing `}`.
    private mutating func recoverInBody() {
        var braces = 0
        while !atEnd {
            if current.isSymbol("}") {
                if braces == 0 { return }
                braces -= 1
            } else if current.isSymbol("{") {
                braces += 1
            } else if current.kind == .newline, braces == 0 {
                advance()
                return
            }
            advance()
        }
    }

    private mutating func parseStatement() throws(Failure) -> Stmt {
        let start = current
        switch current.kind {
        case .keyword(.let):
            advance()
            if current.isSymbol("(") {
                advance()
                var names: [Binding] = []
                while !current.isSymbol(")") {
                    names.append(try expectIdentifier("to destructure into"))
                    if !current.isSymbol(",") { break }
                    advance()
                }
                try expect(")", "to end the names being destructured")
                try expect("=", "after the names")
                return Stmt(.let(names, try parseExpression(), destructure: true), start.range)
            }
            let name = try expectIdentifier("after 'let'")
            try expect("=", "after '\(name.name)'")
            return Stmt(.let([name], try parseExpression(), destructure: false), start.range)
        case .keyword(.if):
            var branches: [IfBranch] = []
            var elseBody: [Stmt]?
            advance()
            branches.append(IfBranch(condition: try parseExpression(), body: try parseBody()))
            while current.isKeyword(.else) {
                advance()
                if current.isKeyword(.if) {
                    advance()
                    branches.append(IfBranch(condition: try parseExpression(), body: try parseBody()))
                } else {
                    elseBody = try parseBody()
                    break
                }
            }
            return Stmt(.if(branches: branches, elseBody: elseBody), start.range)
        case .keyword(.for):
            advance()
            let name = try expectIdentifier("for the loop variable")
            guard current.isKeyword(.in) else { throw fail("expected 'in' after the loop variable, found \(current.spelling)") }
            advance()
            let from = try parseExpression()
            try expect("..<", "in the loop range (write 'for i in 0..<n')")
            let to = try parseExpression()
            return Stmt(.for(name, from: from, to: to, body: try parseBody()), start.range)
        case .keyword(.return):
            advance()
            return Stmt(.return(try parseExpression()), start.range)
        case .keyword(.probe), .keyword(.output):
            let isProbe = start.isKeyword(.probe)
            advance()
            let name = try expectIdentifier("for the \(isProbe ? "probe" : "output")")
            try expect("=", "after '\(name.name)'")
            let value = try parseExpression()
            return Stmt(isProbe ? .probe(name, value) : .output(name, value), start.range)
        case .keyword(.input):
            advance()
            let name = try expectIdentifier("for the input")
            try expect(":", "after the input name (inputs need a type, e.g. i32[seq_len])")
            let type = try parseType()
            var defaultValue: Expr?
            if current.isSymbol("=") {
                advance()
                defaultValue = try parseExpression()
            }
            return Stmt(.input(name, type, defaultValue: defaultValue), start.range)
        case .identifier(let name) where peek(1).isSymbol("="):
            advance()
            advance()
            return Stmt(.assign(Binding(name: name, range: start.range), try parseExpression()), start.range)
        default:
            let e = try parseExpression()
            return Stmt(.expression(e), e.range)
        }
    }

    // MARK: Expressions

    private mutating func parseStandaloneExpression() throws(Failure) -> Expr {
        let e = try parseExpression()
        skipNewlines()
        guard atEnd else { throw fail("unexpected \(current.spelling) after the expression") }
        return e
    }

    private mutating func parseExpression() throws(Failure) -> Expr {
        try nested(current.range) { (p: inout Parser) throws(Failure) in try p.parseOr() }
    }

    private mutating func parseOr() throws(Failure) -> Expr {
        var lhs = try parseAnd()
        while current.isKeyword(.or) {
            let op = advance()
            lhs = Expr(.binary(.or, lhs, try parseAnd()), op.range)
        }
        return lhs
    }

    private mutating func parseAnd() throws(Failure) -> Expr {
        var lhs = try parseNot()
        while current.isKeyword(.and) {
            let op = advance()
            lhs = Expr(.binary(.and, lhs, try parseNot()), op.range)
        }
        return lhs
    }

    private mutating func parseNot() throws(Failure) -> Expr {
        guard current.isKeyword(.not) else { return try parseComparison() }
        let op = advance()
        return try nested(op.range) { (p: inout Parser) throws(Failure) in Expr(.unary(.not, try p.parseNot()), op.range) }
    }

    private static let comparisons: [String: BinaryOperator] = ["==": .eq, "!=": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge]

    private mutating func parseComparison() throws(Failure) -> Expr {
        let lhs = try parseAdditive()
        guard case .symbol(let s) = current.kind, let op = Self.comparisons[s] else { return lhs }
        let opToken = advance()
        let rhs = try parseAdditive()
        if case .symbol(let s2) = current.kind, Self.comparisons[s2] != nil {
            throw fail("comparisons cannot be chained", hint: "combine them with 'and'")
        }
        return Expr(.binary(op, lhs, rhs), opToken.range)
    }

    private mutating func parseAdditive() throws(Failure) -> Expr {
        var lhs = try parseMultiplicative()
        while current.isSymbol("+") || current.isSymbol("-") {
            let op = advance()
            lhs = Expr(.binary(op.isSymbol("+") ? .add : .sub, lhs, try parseMultiplicative()), op.range)
        }
        return lhs
    }

    private static let multiplicative: [String: BinaryOperator] = ["*": .mul, "/": .div, "//": .floorDiv, "%": .mod]

    private mutating func parseMultiplicative() throws(Failure) -> Expr {
        var lhs = try parseUnary()
        while case .symbol(let s) = current.kind, let op = Self.multiplicative[s] {
            let opToken = advance()
            lhs = Expr(.binary(op, lhs, try parseUnary()), opToken.range)
        }
        return lhs
    }

    private mutating func parseUnary() throws(Failure) -> Expr {
        guard current.isSymbol("-") else { return try parsePostfix() }
        let op = advance()
        return try nested(op.range) { (p: inout Parser) throws(Failure) in Expr(.unary(.neg, try p.parseUnary()), op.range) }
    }

    private mutating func parsePostfix() throws(Failure) -> Expr {
        var e = try parsePrimary()
        while true {
            if current.isSymbol("(") {
                guard case .name(let callee) = e.kind else {
                    throw fail("only blocks and functions can be called, by name")
                }
                e = Expr(.call(callee: callee, args: try parseArguments(), prefix: nil), e.range)
            } else if current.isSymbol("[") {
                let open = advance()
                let index = try parseExpression()
                try expect("]", "to close the index")
                e = Expr(.index(e, index), open.range)
            } else if current.isSymbol("@") {
                let at = advance()
                guard case .call(let callee, let args, nil) = e.kind else {
                    throw fail("a weight prefix '@' must follow a block call", at: at.range)
                }
                let prefix = try parsePrimary()
                e = Expr(.call(callee: callee, args: args, prefix: prefix), e.range)
            } else {
                return e
            }
        }
    }

    private mutating func parseArguments() throws(Failure) -> [Argument] {
        try expect("(", "to start the arguments")
        var args: [Argument] = []
        var sawNamed = false
        while !current.isSymbol(")") {
            if case .identifier(let label) = current.kind, peek(1).isSymbol(":") {
                let labelToken = advance()
                advance()
                args.append(Argument(label: label, labelRange: labelToken.range, value: try parseExpression()))
                sawNamed = true
            } else {
                let value = try parseExpression()
                if sawNamed {
                    diagnostics.append(Diagnostic(.error, "positional argument after a named argument", at: value.range,
                                                  hint: "put positional arguments first"))
                }
                args.append(Argument(label: nil, labelRange: nil, value: value))
            }
            if !current.isSymbol(",") { break }
            advance()
        }
        try expect(")", "to close the argument list")
        return args
    }

    private mutating func parsePrimary() throws(Failure) -> Expr {
        let t = current
        switch t.kind {
        case .int(let v): advance(); return Expr(.int(v), t.range)
        case .float(let v): advance(); return Expr(.float(v), t.range)
        case .keyword(.true): advance(); return Expr(.bool(true), t.range)
        case .keyword(.false): advance(); return Expr(.bool(false), t.range)
        case .identifier("_"): advance(); return Expr(.wildcard, t.range)
        case .identifier(let name): advance(); return Expr(.name(name), t.range)
        case .string(let parts):
            advance()
            return Expr(.string(try parseInterpolations(parts)), t.range)
        case .symbol("("):
            advance()
            var items: [Expr] = []
            var trailingComma = false
            while !current.isSymbol(")") {
                items.append(try parseExpression())
                trailingComma = false
                if !current.isSymbol(",") { break }
                advance()
                trailingComma = true
            }
            try expect(")", "to close the parenthesis")
            if items.count == 1 && !trailingComma { return items[0] }
            return Expr(.tuple(items), t.range)
        case .symbol("["):
            advance()
            var items: [Expr] = []
            while !current.isSymbol("]") {
                items.append(try parseExpression())
                if !current.isSymbol(",") { break }
                advance()
            }
            try expect("]", "to close the list")
            return Expr(.list(items), t.range)
        default:
            throw fail("expected an expression, found \(t.spelling)")
        }
    }

    private mutating func parseInterpolations(_ parts: [StringPart]) throws(Failure) -> [InterpolatedPart] {
        var out: [InterpolatedPart] = []
        for part in parts {
            switch part {
            case .text(let s):
                out.append(.text(s))
            case .interpolation(let source, let start):
                var lexer = Lexer(source, file: file, start: start)
                let tokens = lexer.tokenizeAll().filter { $0.kind != .newline }
                diagnostics += lexer.diagnostics
                var sub = Parser(tokens: tokens, file: file)
                sub.depth = depth
                let e = try? sub.parseStandaloneExpression()
                diagnostics += sub.diagnostics
                guard let e else {
                    if sub.diagnostics.isEmpty { throw fail("empty interpolation in string", at: SourceRange(start)) }
                    throw Failure()
                }
                out.append(.expr(e))
            }
        }
        return out
    }
}
