/// A JSON value as read from a safetensors header. Objects keep their members in file order
/// (tensor keys are listed in that order), and numbers keep their literal text so that offsets
/// beyond the range of `Int` or `Double` are reported instead of being rounded.
enum HeaderJSON {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    case number(literal: String)
    case bool(Bool)
    case null

    /// What kind of value this is, for messages ("expected an array, found a string").
    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// Why a JSON value is not a usable non-negative `Int`.
    enum IntegerProblem: Error {
        case notAnInteger, negative, tooLarge

        var description: String {
            switch self {
            case .notAnInteger: return "is not an integer"
            case .negative: return "is negative"
            case .tooLarge: return "is too large"
            }
        }
    }

    /// The value as a non-negative `Int`, or why it is not one.
    var nonNegativeInt: Result<Int, IntegerProblem> {
        guard case .number(let literal) = self else { return .failure(.notAnInteger) }
        if literal.hasPrefix("-") {
            // "-0" is an integer zero; any other minus sign makes a negative number.
            return literal == "-0" ? .success(0) : .failure(.negative)
        }
        guard literal.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return .failure(.notAnInteger)
        }
        guard let v = Int(literal) else { return .failure(.tooLarge) }
        return .success(v)
    }
}
