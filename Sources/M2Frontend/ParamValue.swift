import M2IR

/// A model parameter's value, as given by a default in the source or by the caller (`--param seq_len=512`).
public enum ParamValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)

    /// Reads a command-line value: `512` → int, `1e-5` / `0.5` → float, `true`/`false` → bool, anything else → string.
    public static func parse(_ text: String) -> ParamValue {
        if let i = Int(text) { return .int(i) }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if let d = Double(text), d.isFinite { return .float(d) }
        return .string(text)
    }

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return formatDouble(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return "\"\(escapeString(v))\""
        }
    }

    var attribute: AttrValue {
        switch self {
        case .int(let v): return .int(v)
        case .float(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        }
    }
}
