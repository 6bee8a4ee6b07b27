import M2Support

/// Free-form op annotations: room for fusion groups, tile choices, precision, provenance.
/// Printed sorted by key so dumps are stable.
public enum AttrValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case ints([Int])

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return formatDouble(v)
        case .string(let v): return "\"\(escapeString(v))\""
        case .bool(let v): return v ? "true" : "false"
        case .ints(let v): return "[\(v.map(String.init).joined(separator: ","))]"
        }
    }
}

/// Shortest round-tripping decimal form of a Double (Swift's `description`), with `.0` kept for integers.
public func formatDouble(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    return "\(v)"
}

/// A string escaped for the textual IR (without quotes).
public func escapeString(_ s: String) -> String { StringLiteralStyle.ir.escape(s) }
