import M2IR

/// A compile-time value during elaboration. Tensors are IR values; everything else is folded
/// away before the graph exists.
enum Value {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case list([Value])
    case tuple([Value])
    case tensor(ValueID)
    /// What a block without `return` gives back.
    case none
    /// Stands in for the result of a statement that already failed; any use aborts silently,
    /// so one mistake is reported once rather than at every later use.
    case poison

    var kindName: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .string: return "string"
        case .list: return "list"
        case .tuple: return "tuple"
        case .tensor: return "tensor"
        case .none: return "no value"
        case .poison: return "invalid value"
        }
    }

    var containsPoison: Bool {
        switch self {
        case .poison: return true
        case .list(let items), .tuple(let items): return items.contains { $0.containsPoison }
        default: return false
        }
    }

    /// int and float both read as a number.
    var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .float(let v): return v
        default: return nil
        }
    }
}

extension ParamValue {
    var value: Value {
        switch self {
        case .int(let v): return .int(v)
        case .float(let v): return .float(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        }
    }
}
