import M2IR
import M2Support
import M2Syntax

extension Elaborator {
    func eval(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e.kind {
        case .int(let v): return .int(v)
        case .float(let v): return .float(v)
        case .bool(let v): return .bool(v)
        case .string(let parts):
            var s = ""
            for part in parts {
                switch part {
                case .text(let t): s += t
                case .expr(let x):
                    switch try evalLive(x, scope) {
                    case .int(let v): s += String(v)
                    case .float(let v): s += formatDouble(v)
                    case .bool(let v): s += v ? "true" : "false"
                    case .string(let v): s += v
                    case let other: throw error("cannot put \(describe(other)) into a string", at: x.range)
                    }
                }
            }
            return .string(s)
        case .name(let n):
            if let v = scope.lookup(n) {
                if v.containsPoison { throw Abort() }
                return v
            }
            if blocks[n] != nil || Builtins.isKnown(n) {
                throw error("'\(n)' is a \(blocks[n] != nil ? "block" : "function"); call it with arguments", at: e.range)
            }
            throw error("undefined name '\(n)'", at: e.range,
                        hint: closestMatch(to: n, in: scope.visibleNames).map { "did you mean '\($0)'?" })
        case .wildcard:
            throw error("'_' is only allowed as a dimension in a tensor type", at: e.range)
        case .list(let items):
            return .list(try items.map { try evalLive($0, scope) })
        case .tuple(let items):
            return .tuple(try items.map { try evalLive($0, scope) })
        case .index(let baseExpr, let indexExpr):
            return try index(try evalLive(baseExpr, scope), indexExpr, scope, at: e.range)
        case .unary(let op, let x):
            return try unary(op, try evalLive(x, scope), at: e.range)
        case .binary(.and, let l, let r), .binary(.or, let l, let r):
            guard case .binary(let op, _, _) = e.kind else { preconditionFailure() }
            guard case .bool(let a) = try evalLive(l, scope) else {
                throw error("'\(op.rawValue)' needs bool operands", at: l.range)
            }
            // Short-circuit, so `dim(x, 0) > 0 and …` can guard the right side.
            if (op == .and && !a) || (op == .or && a) { return .bool(a) }
            guard case .bool(let b) = try evalLive(r, scope) else {
                throw error("'\(op.rawValue)' needs bool operands", at: r.range)
            }
            return .bool(b)
        case .binary(let op, let l, let r):
            return try binary(op, try evalLive(l, scope), try evalLive(r, scope), at: e.range)
        case .call(let callee, let args, let prefix):
            return try call(callee, args, prefix: prefix, at: e.range, scope)
        }
    }

    private func index(_ base: Value, _ indexExpr: Expr, _ scope: Scope, at range: SourceRange) throws -> Value {
        let i = try int(indexExpr, scope, what: "an index")
        switch base {
        case .list(let items), .tuple(let items):
            let j = i < 0 ? i + items.count : i
            guard items.indices.contains(j) else {
                throw error("index \(i) is out of range for \(describe(base))", at: indexExpr.range)
            }
            return items[j]
        case .tensor(let id):
            // x[i] selects along the first static axis and drops it (x[0] is the [CLS] row).
            let t = type(of: id)
            guard let n = t.shape.first else { throw error("cannot index a rank-0 tensor", at: range) }
            let j = i < 0 ? i + n : i
            guard (0..<n).contains(j) else {
                throw error("index \(i) is out of range for axis 0 of size \(n)", at: indexExpr.range)
            }
            let row = try emit(.slice(axis: 0, start: j, end: j + 1), [id], at: range)
            return .tensor(try emit(.reshape, [row], at: range, reshapeTo: Array(t.shape.dropFirst())))
        default:
            throw error("cannot index \(describe(base))", at: range)
        }
    }

    private func unary(_ op: UnaryOperator, _ v: Value, at range: SourceRange) throws -> Value {
        switch (op, v) {
        case (.neg, .int(let x)): return .int(-x)
        case (.neg, .float(let x)): return .float(-x)
        case (.neg, .tensor(let id)): return .tensor(try emit(.unary(.neg), [id], at: range))
        case (.not, .bool(let x)): return .bool(!x)
        default:
            throw error("cannot apply '\(op.rawValue)' to \(describe(v))", at: range)
        }
    }

    func binary(_ op: BinaryOperator, _ a: Value, _ b: Value, at range: SourceRange) throws -> Value {
        switch (a, b) {
        case (.tensor(let x), .tensor(let y)):
            let fn: BinaryFn
            switch op {
            case .add: fn = .add
            case .sub: fn = .sub
            case .mul: fn = .mul
            case .div: fn = .div
            default: throw error("'\(op.rawValue)' is not defined for tensors", at: range)
            }
            return .tensor(try emit(.binary(fn), [x, y], at: range))
        case (.tensor(let x), _):
            guard let c = b.number else { break }
            switch op {
            case .mul: return .tensor(try emit(.scale(c), [x], at: range))
            case .div:
                guard c != 0 else { throw error("division of a tensor by zero", at: range) }
                return .tensor(try emit(.scale(1 / c), [x], at: range))
            case .add: return .tensor(try emit(.shift(c), [x], at: range))
            case .sub: return .tensor(try emit(.shift(-c), [x], at: range))
            default: break
            }
        case (_, .tensor(let y)):
            guard let c = a.number else { break }
            switch op {
            case .mul: return .tensor(try emit(.scale(c), [y], at: range))
            case .add: return .tensor(try emit(.shift(c), [y], at: range))
            case .sub:
                let negated = try emit(.unary(.neg), [y], at: range)
                return .tensor(try emit(.shift(c), [negated], at: range))
            case .div:
                throw error("cannot divide a number by a tensor", at: range, hint: "use rsqrt/… or multiply by a constant tensor")
            default: break
            }
        case (.int(let x), .int(let y)):
            return try intArithmetic(op, x, y, at: range)
        case (.string(let x), .string(let y)):
            switch op {
            case .add: return .string(x + y)
            case .eq: return .bool(x == y)
            case .ne: return .bool(x != y)
            default: break
            }
        case (.bool(let x), .bool(let y)):
            if op == .eq { return .bool(x == y) }
            if op == .ne { return .bool(x != y) }
        case (.list(let x), .list(let y)) where op == .add:
            return .list(x + y)
        default:
            if let x = a.number, let y = b.number { return try floatArithmetic(op, x, y, at: range) }
        }
        throw error("cannot apply '\(op.rawValue)' to \(describe(a)) and \(describe(b))", at: range)
    }

    private func intArithmetic(_ op: BinaryOperator, _ x: Int, _ y: Int, at range: SourceRange) throws -> Value {
        func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Value {
            if r.overflow { throw error("integer overflow in '\(op.rawValue)'", at: range) }
            return .int(r.partialValue)
        }
        switch op {
        case .add: return try checked(x.addingReportingOverflow(y))
        case .sub: return try checked(x.subtractingReportingOverflow(y))
        case .mul: return try checked(x.multipliedReportingOverflow(by: y))
        case .div, .floorDiv, .mod:
            guard y != 0 else { throw error("division by zero", at: range) }
            let (q, r) = x.quotientAndRemainder(dividingBy: y)
            let floorQ = (r != 0 && (r < 0) != (y < 0)) ? q - 1 : q
            switch op {
            case .div:
                guard r == 0 else {
                    throw error("\(x) / \(y) is not a whole number", at: range,
                                hint: "use '//' to round down or ceildiv(\(x), \(y)) to round up")
                }
                return .int(q)
            case .floorDiv: return .int(floorQ)
            default: return .int(x - floorQ * y)
            }
        case .eq: return .bool(x == y)
        case .ne: return .bool(x != y)
        case .lt: return .bool(x < y)
        case .le: return .bool(x <= y)
        case .gt: return .bool(x > y)
        case .ge: return .bool(x >= y)
        case .and, .or: throw error("'\(op.rawValue)' needs bool operands", at: range)
        }
    }

    private func floatArithmetic(_ op: BinaryOperator, _ x: Double, _ y: Double, at range: SourceRange) throws -> Value {
        switch op {
        case .add: return .float(x + y)
        case .sub: return .float(x - y)
        case .mul: return .float(x * y)
        case .div:
            guard y != 0 else { throw error("division by zero", at: range) }
            return .float(x / y)
        case .floorDiv:
            guard y != 0 else { throw error("division by zero", at: range) }
            return .float((x / y).rounded(.down))
        case .mod:
            guard y != 0 else { throw error("division by zero", at: range) }
            return .float(x - y * (x / y).rounded(.down))
        case .eq: return .bool(x == y)
        case .ne: return .bool(x != y)
        case .lt: return .bool(x < y)
        case .le: return .bool(x <= y)
        case .gt: return .bool(x > y)
        case .ge: return .bool(x >= y)
        case .and, .or: throw error("'\(op.rawValue)' needs bool operands", at: range)
        }
    }
}
