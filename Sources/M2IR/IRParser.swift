import M2Support

/// A syntax or reference error in textual IR, at a line and column of the text.
public struct IRParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): error: \(message)" }
}

/// Reads the form `IRPrinter` writes (grammar in docs/IR.md) back into a `Graph`.
///
/// Value names (`%0`, `%x`) are only labels: the parsed graph numbers its values densely in order
/// of definition. Operands must be defined on an earlier line. The parser checks syntax and
/// references only; type rules are the verifier's job, so ill-typed IR can be parsed and verified.
/// `# …` up to the end of a line is a comment (`#{` and `#hexdigits` are tokens, not comments).
public enum IRParser {
    /// - Parameters:
    ///   - constants: data of constants printed as `#digest`, keyed by `ConstantData.digest`.
    ///   - file: the name used in error locations.
    public static func parse(_ text: String, constants: [UInt64: ConstantData] = [:],
                             file: String = "<ir>") throws(IRParseError) -> Graph {
        var parser = Parser(lexer: Lexer(text, file: file), constants: constants)
        return try parser.parseGraph()
    }
}

// MARK: - Tokens

private enum TokenKind: Equatable {
    case value(String)       // %0, %x
    case symbol(String)      // @name (graph name)
    case identifier(String)  // gather, f32, true, fusion.group
    case number(String)      // 12, -1.5e-05, -inf
    case string(String)      // "text" (unescaped)
    case digest(String)      // #3f2a9c0d11e2b7a4 (hex digits only)
    case annotationStart     // #{
    case punct(Character)    // = , : { } [ ] ( ) < >
    case end

    var spelling: String {
        switch self {
        case .value(let s): return "%\(s)"
        case .symbol(let s): return "@\(s)"
        case .identifier(let s), .number(let s): return s
        case .string(let s): return "\"\(escapeString(s))\""
        case .digest(let s): return "#\(s)"
        case .annotationStart: return "#{"
        case .punct(let c): return "'\(c)'"
        case .end: return "end of input"
        }
    }
}

private struct Token {
    var kind: TokenKind
    var location: SourceLocation
}

// MARK: - Lexer

private struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ text: String, file: String) {
        scalars = Array(text.unicodeScalars)
        self.file = file
    }

    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() -> Unicode.Scalar {
        let c = scalars[index]
        index += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
        return c
    }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                _ = advance()
            } else if c == "#", peek(1).map({ $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) ?? true {
                while let d = peek(), d != "\n" { _ = advance() }
            } else {
                return
            }
        }
    }

    mutating func next() throws(IRParseError) -> Token {
        skipTrivia()
        let start = here
        guard let c = peek() else { return Token(kind: .end, location: start) }
        func word(_ accept: (Unicode.Scalar) -> Bool) -> String {
            var s = ""
            while let d = peek(), accept(d) { s.unicodeScalars.append(advance()) }
            return s
        }
        switch c {
        case "%":
            _ = advance()
            let name = word { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" || $0 == "." }
            guard !name.isEmpty else { throw IRParseError("expected a value name after '%'", at: start) }
            return Token(kind: .value(name), location: start)
        case "@":
            _ = advance()
            if peek() == "\"" { return Token(kind: .symbol(try string(start)), location: start) }
            let name = word(\.isIdentifierContinue)
            guard !name.isEmpty else { throw IRParseError("expected a graph name after '@'", at: start) }
            return Token(kind: .symbol(name), location: start)
        case "#":
            _ = advance()
            if peek() == "{" { _ = advance(); return Token(kind: .annotationStart, location: start) }
            let hex = word(\.properties.isASCIIHexDigit)
            guard !hex.isEmpty else { throw IRParseError("expected '#{', a hex digest, or '# comment' after '#'", at: start) }
            return Token(kind: .digest(hex), location: start)
        case "\"":
            return Token(kind: .string(try string(start)), location: start)
        case "-", "0"..."9":
            var s = ""
            if c == "-" { s.unicodeScalars.append(advance()) }
            if peek()?.isASCIILetter == true {
                s += word(\.isASCIILetter)  // -inf
            } else {
                s += word { ("0"..."9").contains($0) || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-" }
            }
            guard s != "-" else { throw IRParseError("expected a number after '-'", at: start) }
            return Token(kind: .number(s), location: start)
        default:
            if c.isIdentifierStart { return Token(kind: .identifier(word(\.isIdentifierContinue)), location: start) }
            if "=,:{}[]()<>".unicodeScalars.contains(c) {
                _ = advance()
                return Token(kind: .punct(Character(c)), location: start)
            }
            throw IRParseError("unexpected character '\(c.escaped(asASCII: false))'", at: start)
        }
    }

    private mutating func string(_ start: SourceLocation) throws(IRParseError) -> String {
        _ = advance()  // opening quote
        var s = ""
        while true {
            guard let c = peek(), c != "\n" else { throw IRParseError("unterminated string", at: start) }
            _ = advance()
            if c == "\"" { return s }
            guard c == "\\" else { s.unicodeScalars.append(c); continue }
            let escapeStart = here
            guard let e = peek() else { throw IRParseError("unterminated string", at: start) }
            _ = advance()
            switch e {
            case "\"": s += "\""
            case "\\": s += "\\"
            case "n": s += "\n"
            case "t": s += "\t"
            case "u":
                guard peek() == "{" else { throw IRParseError("expected '{' after \\u", at: escapeStart) }
                _ = advance()
                var hex = ""
                while let d = peek(), d.properties.isASCIIHexDigit { hex.unicodeScalars.append(advance()) }
                guard peek() == "}", let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                    throw IRParseError("malformed \\u{…} escape", at: escapeStart)
                }
                _ = advance()
                s.unicodeScalars.append(scalar)
            default: throw IRParseError("unknown escape '\\\(e)'", at: escapeStart)
            }
        }
    }
}

// MARK: - Parser

/// An attribute value as written, before it is given a meaning by its key.
private enum ParsedValue {
    case number(String)
    case string(String)
    case word(String)
    case list([String])
    /// A list of quoted strings (`["bias", "gelu"]`).
    case strings([String])

    var spelling: String {
        switch self {
        case .number(let s), .word(let s): return s
        case .string(let s): return "\"\(escapeString(s))\""
        case .list(let items): return "[\(items.joined(separator: ","))]"
        case .strings(let items): return "[" + items.map { "\"\(escapeString($0))\"" }.joined(separator: ", ") + "]"
        }
    }
}

private struct Parser {
    var lexer: Lexer
    let constants: [UInt64: ConstantData]
    var token = Token(kind: .end, location: SourceLocation(file: "", line: 0, column: 0))

    var graph = Graph(name: "")
    var values: [String: ValueID] = [:]

    init(lexer: Lexer, constants: [UInt64: ConstantData]) {
        self.lexer = lexer
        self.constants = constants
    }

    mutating func bump() throws(IRParseError) { token = try lexer.next() }

    func error(_ message: String) -> IRParseError {
        IRParseError("\(message), found \(token.kind.spelling)", at: token.location)
    }

    mutating func expect(_ c: Character, _ what: String) throws(IRParseError) {
        guard token.kind == .punct(c) else { throw error("expected '\(c)' \(what)") }
        try bump()
    }

    mutating func accept(_ c: Character) throws(IRParseError) -> Bool {
        guard token.kind == .punct(c) else { return false }
        try bump()
        return true
    }

    mutating func keyword(_ k: String) throws(IRParseError) {
        guard token.kind == .identifier(k) else { throw error("expected '\(k)'") }
        try bump()
    }

    mutating func stringLiteral(_ what: String) throws(IRParseError) -> String {
        guard case .string(let s) = token.kind else { throw error("expected \(what) as a quoted string") }
        try bump()
        return s
    }

    mutating func integer(_ what: String) throws(IRParseError) -> Int {
        guard case .number(let s) = token.kind, let v = Int(s) else { throw error("expected \(what) (an integer)") }
        try bump()
        return v
    }

    // graph := 'graph' '@'name attr-dict? '{' statement* '}'
    mutating func parseGraph() throws(IRParseError) -> Graph {
        try bump()
        try keyword("graph")
        guard case .symbol(let name) = token.kind else { throw error("expected the graph name ('@name')") }
        try bump()
        graph = Graph(name: name)
        if token.kind == .punct("{"), try lookaheadIsAttributeDictionary() {
            graph.attributes = try annotationDictionary()
        }
        try expect("{", "to open the graph body")
        while !(try accept("}")) {
            try statement()
        }
        guard token.kind == .end else { throw error("expected end of input after the graph") }
        return graph
    }

    /// Distinguishes `{key = …}` (attributes) from the `{` that opens the body: a body starts with
    /// `%`, `output`, `probe` or `}`.
    mutating func lookaheadIsAttributeDictionary() throws(IRParseError) -> Bool {
        var probe = lexer
        let next = try probe.next()
        switch next.kind {
        case .value, .punct("}"): return false
        case .identifier(let w) where w == "output" || w == "probe":
            return try probe.next().kind == .punct("=")  // a graph attribute named "output"
        default: return true
        }
    }

    mutating func statement() throws(IRParseError) {
        switch token.kind {
        case .identifier("output"), .identifier("probe"):
            let isProbe = token.kind == .identifier("probe")
            try bump()
            let name = try stringLiteral("the output name")
            try expect("=", "after the output name")
            let value = try use()
            graph.outputs.append(GraphOutput(name: name, value: value, isProbe: isProbe))
        case .value(let name):
            let at = token.location
            try bump()
            guard values[name] == nil else { throw IRParseError("value %\(name) is defined twice", at: at) }
            try expect("=", "after the result name")
            var op = try opBody()
            op.result = graph.freshValue()
            values[name] = op.result
            graph.ops.append(op)
        default:
            throw error("expected an op ('%N = …'), 'output', 'probe' or '}'")
        }
    }

    mutating func use() throws(IRParseError) -> ValueID {
        guard case .value(let name) = token.kind else { throw error("expected a value ('%N')") }
        guard let v = values[name] else {
            throw IRParseError("use of undefined value %\(name) (operands must be defined on an earlier line)", at: token.location)
        }
        try bump()
        return v
    }

    // op := mnemonic leaf-payload? operands? kind-attrs? ':' type annotations? loc?
    mutating func opBody() throws(IRParseError) -> Op {
        guard case .identifier(let mnemonic) = token.kind else { throw error("expected an op mnemonic") }
        let mnemonicLocation = token.location
        try bump()
        var leaf: OpKind?
        switch mnemonic {
        case "input": leaf = .input(name: try stringLiteral("the input name"))
        case "weight": leaf = .weight(key: try stringLiteral("the weight key"))
        case "const": leaf = .constant(try constantPayload())
        default: break
        }
        var operands: [ValueID] = []
        if case .value = token.kind {
            operands.append(try use())
            while try accept(",") { operands.append(try use()) }
        }
        var attributes: [String: (ParsedValue, SourceLocation)] = [:]
        if token.kind == .punct("{") { attributes = try kindAttributeDictionary() }
        let kind: OpKind
        if let leaf {
            try KindAttributeReader(mnemonic: mnemonic, attributes: attributes, location: mnemonicLocation).finish()
            kind = leaf
        } else {
            kind = try Self.kind(mnemonic, attributes, at: mnemonicLocation)
        }
        try expect(":", "before the result type")
        let type = try tensorType()
        var annotations: [String: AttrValue] = [:]
        if token.kind == .annotationStart { annotations = try annotationDictionary() }
        var location: SourceLocation?
        if token.kind == .identifier("loc") { location = try sourceLocation() }
        return Op(kind: kind, operands: operands, result: ValueID(-1), type: type,
                  location: location, annotations: annotations)
    }

    // dense<[v, …]> | #digest
    mutating func constantPayload() throws(IRParseError) -> ConstantData {
        if case .digest(let hex) = token.kind {
            let at = token.location
            guard hex.count == 16, let digest = UInt64(hex, radix: 16) else {
                throw IRParseError("a constant digest has 16 hex digits, got '#\(hex)'", at: at)
            }
            guard let data = constants[digest] else {
                throw IRParseError("no data for constant #\(hex): pass it in `constants` or print the IR with a larger inlineConstantLimit", at: at)
            }
            guard data.digest == digest else {
                throw IRParseError("the data given for constant #\(hex) has digest #\(data.digestString)", at: at)
            }
            try bump()
            return data
        }
        try keyword("dense")
        try expect("<", "after 'dense'")
        try expect("[", "to open the constant's values")
        var values: [Double] = []
        if !(try accept("]")) {
            repeat { values.append(try double("a constant value")) } while try accept(",")
            try expect("]", "to close the constant's values")
        }
        try expect(">", "to close 'dense<…>'")
        return ConstantData(values)
    }

    mutating func double(_ what: String) throws(IRParseError) -> Double {
        let spelling: String
        switch token.kind {
        case .number(let s), .identifier(let s): spelling = s
        default: throw error("expected \(what)")
        }
        guard let v = Self.double(spelling) else { throw error("expected \(what)") }
        try bump()
        return v
    }

    static func double(_ s: String) -> Double? {
        switch s {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return s.first == "-" || s.first?.isNumber == true ? Double(s) : nil
        }
    }

    // type := dtype '[' ('B' (',' int)* | int (',' int)*)? ']'
    mutating func tensorType() throws(IRParseError) -> TensorType {
        guard case .identifier(let d) = token.kind, let dtype = DType(rawValue: d) else {
            throw error("expected an element type (\(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        try bump()
        try expect("[", "after the element type")
        var batched = false
        var shape: [Int] = []
        if token.kind == .identifier("B") {
            batched = true
            try bump()
            if try !accept(",") { try expect("]", "after the batch dimension"); return TensorType(dtype, [], batched: true) }
        } else if try accept("]") {
            return TensorType(dtype, [])
        }
        repeat {
            let at = token.location
            let n = try integer("a dimension")
            guard n >= 0 else { throw IRParseError("dimension \(n) is negative", at: at) }
            shape.append(n)
        } while try accept(",")
        try expect("]", "to close the shape")
        return TensorType(dtype, shape, batched: batched)
    }

    // loc '(' string ':' int ':' int ')'
    mutating func sourceLocation() throws(IRParseError) -> SourceLocation {
        try keyword("loc")
        try expect("(", "after 'loc'")
        let file = try stringLiteral("the file name")
        try expect(":", "after the file name")
        let line = try integer("a line number")
        try expect(":", "after the line number")
        let column = try integer("a column number")
        try expect(")", "to close 'loc(…)'")
        return SourceLocation(file: file, line: line, column: column)
    }

    // '{' (key '=' value (',' key '=' value)*)? '}'  with key := identifier | string
    mutating func rawDictionary(open: TokenKind) throws(IRParseError) -> [(String, ParsedValue, SourceLocation)] {
        guard token.kind == open else { throw error("expected '\(open.spelling)'") }
        try bump()
        var entries: [(String, ParsedValue, SourceLocation)] = []
        if try accept("}") { return entries }
        repeat {
            let at = token.location
            let key: String
            switch token.kind {
            case .identifier(let k), .string(let k): key = k
            default: throw error("expected an attribute name")
            }
            try bump()
            guard !entries.contains(where: { $0.0 == key }) else { throw IRParseError("attribute '\(key)' given twice", at: at) }
            try expect("=", "after attribute '\(key)'")
            entries.append((key, try parsedValue(), at))
        } while try accept(",")
        try expect("}", "to close the attributes")
        return entries
    }

    mutating func parsedValue() throws(IRParseError) -> ParsedValue {
        let value: ParsedValue
        switch token.kind {
        case .number(let s): value = .number(s)
        case .string(let s): value = .string(s)
        case .identifier(let s): value = .word(s)
        case .punct("[") where try lookaheadIsStringList():
            try bump()
            var items: [String] = []
            repeat { items.append(try stringLiteral("a string in the list")) } while try accept(",")
            guard token.kind == .punct("]") else { throw error("expected ']' to close the list") }
            value = .strings(items)
        case .punct("["):
            try bump()
            var items: [String] = []
            if token.kind != .punct("]") {
                repeat {
                    guard case .number(let s) = token.kind else { throw error("expected a number in the list") }
                    items.append(s)
                    try bump()
                } while try accept(",")
            }
            guard token.kind == .punct("]") else { throw error("expected ']' to close the list") }
            value = .list(items)
        default: throw error("expected an attribute value")
        }
        try bump()
        return value
    }

    /// Whether the `[` at hand opens a list of strings rather than of numbers.
    func lookaheadIsStringList() throws(IRParseError) -> Bool {
        var probe = lexer
        if case .string = try probe.next().kind { return true }
        return false
    }

    mutating func kindAttributeDictionary() throws(IRParseError) -> [String: (ParsedValue, SourceLocation)] {
        var result: [String: (ParsedValue, SourceLocation)] = [:]
        for (key, value, at) in try rawDictionary(open: .punct("{")) { result[key] = (value, at) }
        return result
    }

    /// Graph attributes `{…}` and op annotations `#{…}`: free-form, so values keep their written type.
    mutating func annotationDictionary() throws(IRParseError) -> [String: AttrValue] {
        let open = token.kind == .annotationStart ? TokenKind.annotationStart : .punct("{")
        var result: [String: AttrValue] = [:]
        for (key, value, at) in try rawDictionary(open: open) {
            switch value {
            case .string(let s): result[key] = .string(s)
            case .word("true"): result[key] = .bool(true)
            case .word("false"): result[key] = .bool(false)
            case .number(let s), .word(let s):
                if let i = Int(s) {
                    result[key] = .int(i)
                } else if let d = Self.double(s) {
                    result[key] = .double(d)
                } else {
                    throw IRParseError("'\(s)' is not a valid value for '\(key)'", at: at)
                }
            case .list(let items):
                let ints = items.compactMap { Int($0) }
                guard ints.count == items.count else { throw IRParseError("lists hold integers only ('\(key)')", at: at) }
                result[key] = .ints(ints)
            case .strings:
                throw IRParseError("lists hold integers only ('\(key)')", at: at)
            }
        }
        return result
    }

    // MARK: Kinds by mnemonic

    static let simpleKinds: [String: OpKind] = {
        var kinds: [String: OpKind] = ["gather": .gather, "reshape": .reshape]
        for f in UnaryFn.allCases { kinds[f.rawValue] = .unary(f) }
        for f in BinaryFn.allCases { kinds[f.rawValue] = .binary(f) }
        return kinds
    }()

    static let attributedMnemonics = [
        "blockdiag_matmul", "scale", "shift", "layer_norm", "short_conv", "long_conv", "monarch_conv", "transpose", "slice", "concat", "cast",
        "glu", "add_layer_norm", "fused_matmul",
    ] + ReduceFn.allCases.map { "reduce_\($0.rawValue)" }

    static var allMnemonics: [String] { ["input", "weight", "const"] + simpleKinds.keys.sorted() + attributedMnemonics }

    static func kind(_ mnemonic: String, _ attributes: [String: (ParsedValue, SourceLocation)],
                     at location: SourceLocation) throws(IRParseError) -> OpKind {
        var reader = KindAttributeReader(mnemonic: mnemonic, attributes: attributes, location: location)
        let kind: OpKind
        if let simple = simpleKinds[mnemonic] {
            kind = simple
        } else if mnemonic.hasPrefix("reduce_"), let f = ReduceFn(rawValue: String(mnemonic.dropFirst("reduce_".count))) {
            kind = .reduce(f, axis: try reader.int("axis"))
        } else {
            switch mnemonic {
            case "blockdiag_matmul": kind = .blockDiagMatmul(outFeatures: try reader.int("out"))
            case "scale": kind = .scale(try reader.double("factor"))
            case "shift": kind = .shift(try reader.double("offset"))
            case "layer_norm": kind = .layerNorm(eps: try reader.double("eps"))
            case "short_conv": kind = .shortConv(taps: try reader.int("taps"), layout: try reader.sequenceLayout())
            case "long_conv": kind = .longConv(bidirectional: try reader.bool("bidirectional"), hasSkip: try reader.bool("skip"))
            case "monarch_conv":
                kind = .monarchConv(factors: try reader.ints("factors"), preGate: try reader.bool("pre_gate"),
                                    postGate: try reader.bool("post_gate"), residual: try reader.bool("residual"),
                                    layout: try reader.sequenceLayout(), inputConv: try reader.monarchInputConv())
            case "transpose": kind = .transpose(perm: try reader.ints("perm"))
            case "slice": kind = .slice(axis: try reader.int("axis"), start: try reader.int("start"), end: try reader.int("end"))
            case "concat": kind = .concat(axis: try reader.int("axis"))
            case "cast": kind = .cast(try reader.dtype("to"))
            case "glu": kind = .glu(try reader.unaryFn("fn"))
            case "add_layer_norm": kind = .addLayerNorm(eps: try reader.double("eps"))
            case "fused_matmul": kind = .fusedMatmul(outFeatures: try reader.int("out"), epilogue: try reader.epilogue("epilogue"))
            default:
                let hint = closestMatch(to: mnemonic, in: allMnemonics).map { " (did you mean '\($0)'?)" } ?? ""
                throw IRParseError("unknown op '\(mnemonic)'\(hint)", at: location)
            }
        }
        try reader.finish()
        return kind
    }
}

/// Takes an op kind's attributes by name and type, then reports any left over.
private struct KindAttributeReader {
    let mnemonic: String
    var attributes: [String: (ParsedValue, SourceLocation)]
    let location: SourceLocation

    init(mnemonic: String, attributes: [String: (ParsedValue, SourceLocation)], location: SourceLocation) {
        self.mnemonic = mnemonic
        self.attributes = attributes
        self.location = location
    }

    private mutating func take(_ key: String, _ what: String) throws(IRParseError) -> (ParsedValue, SourceLocation) {
        guard let entry = attributes.removeValue(forKey: key) else {
            throw IRParseError("'\(mnemonic)' needs attribute '\(key)' (\(what))", at: location)
        }
        return entry
    }

    private func invalid(_ key: String, _ value: ParsedValue, _ what: String, _ at: SourceLocation) -> IRParseError {
        IRParseError("attribute '\(key)' of '\(mnemonic)' must be \(what), got \(value.spelling)", at: at)
    }

    mutating func int(_ key: String) throws(IRParseError) -> Int {
        let (value, at) = try take(key, "an integer")
        guard case .number(let s) = value, let v = Int(s) else { throw invalid(key, value, "an integer", at) }
        return v
    }

    mutating func double(_ key: String) throws(IRParseError) -> Double {
        let (value, at) = try take(key, "a number")
        switch value {
        case .number(let s), .word(let s):
            if let v = Parser.double(s) { return v }
        default: break
        }
        throw invalid(key, value, "a number", at)
    }

    mutating func bool(_ key: String) throws(IRParseError) -> Bool {
        let (value, at) = try take(key, "true or false")
        guard case .word(let w) = value, let v = Bool(w) else { throw invalid(key, value, "true or false", at) }
        return v
    }

    /// `channels_last = true` (absent or false: channels-first).
    mutating func sequenceLayout() throws(IRParseError) -> SequenceLayout {
        guard attributes["channels_last"] != nil else { return .channelsFirst }
        return try bool("channels_last") ? .channelsLast : .channelsFirst
    }

    /// `short_conv_taps = T, segments = [...]` (both or neither).
    mutating func monarchInputConv() throws(IRParseError) -> MonarchInputConv? {
        guard attributes["short_conv_taps"] != nil || attributes["segments"] != nil else { return nil }
        return MonarchInputConv(taps: try int("short_conv_taps"), segments: try ints("segments"))
    }

    mutating func ints(_ key: String) throws(IRParseError) -> [Int] {
        let (value, at) = try take(key, "a list of integers")
        guard case .list(let items) = value else { throw invalid(key, value, "a list of integers", at) }
        let v = items.compactMap { Int($0) }
        guard v.count == items.count else { throw invalid(key, value, "a list of integers", at) }
        return v
    }

    mutating func dtype(_ key: String) throws(IRParseError) -> DType {
        let (value, at) = try take(key, "an element type")
        guard case .word(let w) = value, let v = DType(rawValue: w) else { throw invalid(key, value, "an element type", at) }
        return v
    }

    mutating func unaryFn(_ key: String) throws(IRParseError) -> UnaryFn {
        let (value, at) = try take(key, "an element-wise function")
        guard case .word(let w) = value, let f = UnaryFn(rawValue: w) else {
            throw invalid(key, value, "one of \(UnaryFn.allCases.map(\.rawValue).joined(separator: ", "))", at)
        }
        return f
    }

    mutating func epilogue(_ key: String) throws(IRParseError) -> [EpilogueStep] {
        let what = "a list of epilogue steps (\"bias\", \"residual\" or a function name)"
        let (value, at) = try take(key, what)
        switch value {
        case .list(let items) where items.isEmpty: return []
        case .strings(let items):
            var steps: [EpilogueStep] = []
            for item in items {
                guard let step = EpilogueStep(spelling: item) else { throw invalid(key, value, what, at) }
                steps.append(step)
            }
            return steps
        default: throw invalid(key, value, what, at)
        }
    }

    func finish() throws(IRParseError) {
        if let (key, (_, at)) = attributes.min(by: { $0.key < $1.key }) {
            throw IRParseError("'\(mnemonic)' has no attribute '\(key)'", at: at)
        }
    }
}
