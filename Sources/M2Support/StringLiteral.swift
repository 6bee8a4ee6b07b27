/// Quoting of strings for the text formats m2c writes. One escaper with per-format rules, so quotes,
/// backslashes and control characters are handled the same way everywhere and only the real differences
/// between the formats are spelled out.
public enum StringLiteralStyle: Sendable {
    /// The textual IR and compiler messages: `\"`, `\\`, `\n`, `\t`, other controls as `\u{1b}`.
    case ir
    /// JSON (safetensors headers): `\"`, `\\`, `\n`, `\r`, `\t`, other controls as `\u001b`.
    case json
    /// `.m2` source: like the IR, plus `\{` and `\}` (braces start interpolations in .m2 strings); other
    /// control characters are kept as they are (the lexer accepts them inside literals).
    case m2Source
    /// Graphviz DOT: `\"`, `\\`, and `\n` (a line break in labels); everything else verbatim.
    case dot

    /// `s` with this style's escapes, without the surrounding quotes.
    public func escape(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t" where self != .dot: out += "\\t"
            case "\r" where self == .json: out += "\\r"
            case "{" where self == .m2Source: out += "\\{"
            case "}" where self == .m2Source: out += "\\}"
            case _ where c.value < 0x20 && self == .ir: out += "\\u{\(String(c.value, radix: 16))}"
            case _ where c.value < 0x20 && self == .json:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `s` escaped and in double quotes.
    public func quote(_ s: String) -> String { "\"" + escape(s) + "\"" }
}
