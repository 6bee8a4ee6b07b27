/// A strict JSON parser (RFC 8259) for safetensors headers.
///
/// Foundation's `JSONSerialization` silently keeps one of two duplicate keys, which would let a
/// crafted header describe a tensor twice; this parser rejects duplicates, invalid UTF-8, lone
/// surrogates, control characters in strings, trailing garbage and nesting deeper than `maxDepth`.
struct HeaderJSONParser {
    struct Failure: Error {
        var message: String
        /// Byte offset within the parsed text.
        var offset: Int
        var description: String { "\(message) at byte \(offset)" }
    }

    static let maxDepth = 64

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON value surrounded by optional whitespace.
    static func parse(_ bytes: [UInt8]) throws(Failure) -> HeaderJSON {
        var parser = HeaderJSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    private func failure(_ message: String) -> Failure { Failure(message: message, offset: position) }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
    }

    private mutating func expect(_ c: UInt8, _ what: String) throws(Failure) {
        guard current == c else { throw failure("expected \(what)") }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> HeaderJSON {
        guard depth < Self.maxDepth else { throw failure("JSON nested deeper than \(Self.maxDepth) levels") }
        guard let c = current else { throw failure("unexpected end of JSON") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected character '\(Self.printable(c))'")
        }
    }

    private static func printable(_ c: UInt8) -> String {
        (0x20..<0x7F).contains(c) ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
    }

    private mutating func parseLiteral(_ word: String) throws(Failure) {
        for c in word.utf8 {
            guard current == c else { throw failure("invalid literal (expected '\(word)')") }
            position += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> HeaderJSON {
        position += 1  // {
        var members: [(key: String, value: HeaderJSON)] = []
        var seen: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let keyOffset = position
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw Failure(message: "duplicate key '\(key)'", offset: keyOffset)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after key '\(key)'")
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"), "',' or '}' in object")
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> HeaderJSON {
        position += 1  // [
        var elements: [HeaderJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "]"), "',' or ']' in array")
            return .array(elements)
        }
    }

    /// Numbers are checked against the JSON grammar and kept as text (see `HeaderJSON.number`).
    private mutating func parseNumber() throws(Failure) -> HeaderJSON {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, Self.isDigit(first) else { throw failure("invalid number") }
        if first == UInt8(ascii: "0") {
            position += 1
            if let c = current, Self.isDigit(c) { throw failure("invalid number (leading zero)") }
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let c = current, Self.isDigit(c) else { throw failure("invalid number (no digits after '.')") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let c = current, Self.isDigit(c) else { throw failure("invalid number (no digits in exponent)") }
            skipDigits()
        }
        return .number(literal: String(decoding: bytes[start..<position], as: UTF8.self))
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let c = current, Self.isDigit(c) { position += 1 }
    }

    private mutating func parseString() throws(Failure) -> String {
        let start = position
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let c = current else { throw Failure(message: "unterminated string", offset: start) }
            switch c {
            case UInt8(ascii: "\""):
                position += 1
                guard let s = String(validating: utf8, as: UTF8.self) else {
                    throw Failure(message: "string is not valid UTF-8", offset: start)
                }
                return s
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw failure("unescaped control character in string")
            default:
                utf8.append(c)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(Failure) {
        guard let c = current else { throw failure("unterminated escape") }
        position += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(c)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try parseUnicodeEscape()
            utf8.append(contentsOf: String(Character(scalar)).utf8)
        default:
            position -= 1
            throw failure("invalid escape '\\\(Self.printable(c))'")
        }
    }

    /// `\uXXXX`, where a high surrogate must be followed by `\uYYYY` holding a low surrogate.
    private mutating func parseUnicodeEscape() throws(Failure) -> Unicode.Scalar {
        let escapeStart = position - 2
        let first = try parseHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw Failure(message: "high surrogate without a following low surrogate", offset: escapeStart)
            }
            position += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw Failure(message: "high surrogate followed by a non-low surrogate", offset: escapeStart)
            }
            let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw Failure(message: "invalid code point", offset: escapeStart) }
            return scalar
        case 0xDC00...0xDFFF:
            throw Failure(message: "lone low surrogate", offset: escapeStart)
        default:
            guard let scalar = Unicode.Scalar(first) else { throw Failure(message: "invalid code point", offset: escapeStart) }
            return scalar
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw failure("unterminated \\u escape") }
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
