import M2IR
import M2Support

/// The evaluated, name-bound arguments of one builtin call, with typed accessors that report a
/// wrong argument at the argument itself.
struct BuiltinArguments {
    let function: String
    let callRange: SourceRange
    unowned let elaborator: Elaborator
    var values: [String: (value: Value, range: SourceRange)] = [:]
    /// Arguments of a variadic builtin (min, max), in order.
    var variadic: [(value: Value, range: SourceRange)] = []

    init(function: String, callRange: SourceRange, elaborator: Elaborator) {
        self.function = function
        self.callRange = callRange
        self.elaborator = elaborator
    }

    func has(_ name: String) -> Bool { values[name] != nil }

    func range(_ name: String) -> SourceRange { values[name]?.range ?? callRange }

    func value(_ name: String) -> Value { values[name]?.value ?? .none }

    private func wrong(_ name: String, _ expected: String) -> Abort {
        elaborator.error("argument '\(name)' of \(function) must be \(expected), got \(elaborator.describe(value(name)))", at: range(name))
    }

    func int(_ name: String) throws -> Int {
        guard case .int(let v) = value(name) else { throw wrong(name, "an int") }
        return v
    }

    func int(_ name: String, default d: Int) throws -> Int { has(name) ? try int(name) : d }

    func number(_ name: String) throws -> Double {
        guard let v = value(name).number else { throw wrong(name, "a number") }
        return v
    }

    func bool(_ name: String) throws -> Bool {
        guard case .bool(let v) = value(name) else { throw wrong(name, "a bool") }
        return v
    }

    func string(_ name: String) throws -> String {
        guard case .string(let v) = value(name) else { throw wrong(name, "a string") }
        return v
    }

    func tensor(_ name: String) throws -> ValueID {
        guard case .tensor(let v) = value(name) else { throw wrong(name, "a tensor") }
        return v
    }

    func optionalTensor(_ name: String) throws -> ValueID? { has(name) ? try tensor(name) : nil }

    func items(_ name: String) throws -> [Value] {
        switch value(name) {
        case .list(let xs), .tuple(let xs): return xs
        default: throw wrong(name, "a list")
        }
    }

    func ints(_ name: String) throws -> [Int] {
        try items(name).map { item throws -> Int in
            guard case .int(let v) = item else { throw wrong(name, "a list of ints") }
            return v
        }
    }

    /// A static axis index; negative values count from the end.
    func axis(_ name: String, rank: Int) throws -> Int {
        let a = try int(name)
        let normalized = a < 0 ? a + rank : a
        guard (0..<rank).contains(normalized) else {
            throw elaborator.error("axis \(a) is out of range for a tensor with \(rank) dimension(s) (the batch is not counted)", at: range(name))
        }
        return normalized
    }

    func tensorType(_ id: ValueID) -> TensorType { elaborator.type(of: id) }
}
