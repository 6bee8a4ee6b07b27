import Foundation
import M2IR
import M2Support

/// The lowercase functions of the language: compile-time helpers, weight and constant leaves,
/// and the primitives (one per IR op, see Primitives.swift).
enum Builtins {
    struct Signature {
        var params: [String]
        /// The first `required` parameters must be given; the rest have defaults.
        var required: Int
        var variadic = false
    }

    static let compileTime: [String: Signature] = [
        "dim": .init(params: ["x", "axis"], required: 2),
        "shape": .init(params: ["x"], required: 1),
        "rank": .init(params: ["x"], required: 1),
        "ceildiv": .init(params: ["a", "b"], required: 2),
        "min": .init(params: [], required: 0, variadic: true),
        "max": .init(params: [], required: 0, variadic: true),
        "len": .init(params: ["x"], required: 1),
        "int": .init(params: ["x"], required: 1),
        "float": .init(params: ["x"], required: 1),
        "assert": .init(params: ["condition", "message"], required: 1),
        "error": .init(params: ["message"], required: 1),
        "weight": .init(params: ["key", "shape"], required: 2),
        "linspace": .init(params: ["start", "end", "n"], required: 3),
        "arange": .init(params: ["n"], required: 1),
        "zeros": .init(params: ["shape"], required: 1),
        "ones": .init(params: ["shape"], required: 1),
        "full": .init(params: ["shape", "value"], required: 2),
    ]

    static let signatures: [String: Signature] = compileTime.merging(Primitives.signatures) { a, _ in a }

    static let names: [String] = signatures.keys.sorted()

    static func isKnown(_ name: String) -> Bool { signatures[name] != nil }
}

extension Elaborator {
    func callBuiltin(_ name: String, _ a: BuiltinArguments) throws -> Value {
        let at = a.callRange
        switch name {
        case "dim":
            let x = try a.tensor("x")
            let t = type(of: x)
            return .int(t.shape[try a.axis("axis", rank: t.rank)])
        case "shape":
            return .list(type(of: try a.tensor("x")).shape.map { .int($0) })
        case "rank":
            return .int(type(of: try a.tensor("x")).rank)
        case "ceildiv":
            let n = try a.int("a"), d = try a.int("b")
            guard d > 0 else { throw error("ceildiv needs a positive divisor, got \(d)", at: a.range("b")) }
            return .int(n >= 0 ? (n + d - 1) / d : -((-n) / d))
        case "min", "max":
            var items = a.variadic
            if items.count == 1, case .list(let xs) = items[0].value { items = xs.map { ($0, items[0].range) } }
            guard let first = items.first else { throw error("\(name) needs at least one number", at: at) }
            var best = first
            for item in items {
                guard let x = item.value.number, let b = best.value.number else {
                    throw error("\(name) needs numbers, got \(describe(item.value))", at: item.range)
                }
                if name == "min" ? x < b : x > b { best = item }
            }
            // int when every argument is an int, else float.
            if items.allSatisfy({ if case .int = $0.value { return true } else { return false } }) { return best.value }
            return .float(best.value.number ?? 0)
        case "len":
            switch a.value("x") {
            case .list(let xs), .tuple(let xs): return .int(xs.count)
            case .string(let s): return .int(s.count)
            case let other: throw error("len needs a list, tuple or string, got \(describe(other))", at: a.range("x"))
            }
        case "int":
            switch a.value("x") {
            case .int(let v): return .int(v)
            case .float(let v) where v.isFinite && abs(v) < 9e18: return .int(Int(v))
            case .bool(let v): return .int(v ? 1 : 0)
            case let other: throw error("cannot convert \(describe(other)) to int", at: a.range("x"))
            }
        case "float":
            return .float(try a.number("x"))
        case "assert":
            guard try a.bool("condition") else {
                let message = a.has("message") ? try a.string("message") : "assertion failed"
                throw error(message, at: at)
            }
            return .none
        case "error":
            throw error(try a.string("message"), at: at)
        case "weight":
            return .tensor(try weight(a))
        case "linspace":
            let start = try a.number("start"), end = try a.number("end"), n = try a.int("n")
            guard n >= 1 else { throw error("linspace needs n ≥ 1, got \(n)", at: a.range("n")) }
            let values = (0..<n).map { i in n == 1 ? start : start + (end - start) * Double(i) / Double(n - 1) }
            return .tensor(try constant(values, shape: [n], at: at))
        case "arange":
            let n = try a.int("n")
            guard n >= 1 else { throw error("arange needs n ≥ 1, got \(n)", at: a.range("n")) }
            return .tensor(try constant((0..<n).map(Double.init), shape: [n], at: at))
        case "zeros", "ones", "full":
            let shape = try a.ints("shape")
            guard shape.allSatisfy({ $0 >= 1 }) else { throw error("a constant's dimensions must be positive, got \(shape)", at: a.range("shape")) }
            let fill = name == "zeros" ? 0 : name == "ones" ? 1 : try a.number("value")
            return .tensor(try constant(Array(repeating: fill, count: shape.reduce(1, *)), shape: shape, at: at))
        case "split":
            return try split(a)
        default:
            return .tensor(try callPrimitive(name, a))
        }
    }

    /// `split(x, n, axis: a)`: n equal slices along one axis, as a tuple.
    private func split(_ a: BuiltinArguments) throws -> Value {
        let x = try a.tensor("x")
        let t = type(of: x)
        let n = try a.int("n")
        let axis = try a.axis("axis", rank: t.rank)
        guard n >= 1, t.shape[axis] % n == 0 else {
            throw error("split: axis \(axis) of size \(t.shape[axis]) does not divide into \(n) equal parts", at: a.callRange)
        }
        let size = t.shape[axis] / n
        var parts: [Value] = []
        for i in 0..<n {
            parts.append(.tensor(try emit(.slice(axis: axis, start: i * size, end: (i + 1) * size), [x], at: a.callRange)))
        }
        return .tuple(parts)
    }

    /// `weight("bias", [out])` reads "<prefix>.bias"; a key starting with "/" is absolute.
    private func weight(_ a: BuiltinArguments) throws -> ValueID {
        let key = Self.joinPrefix(prefix, try a.string("key"))
        let shape = try a.ints("shape")
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
            throw error("weight '\(key)' needs positive dimensions, got \(shape)", at: a.range("shape"))
        }
        do {
            return try builder.weight(key, shape: shape, location: a.callRange.start)
        } catch {
            throw self.error(error.message, at: a.callRange)
        }
    }

    private func constant(_ values: [Double], shape: [Int], at range: SourceRange) throws -> ValueID {
        do {
            return try builder.constant(values, shape: shape, location: range.start)
        } catch {
            throw self.error(error.message, at: range)
        }
    }
}
