import M2Support

/// Prints an AST back as canonical `.m2` source (two-space indents, minimal parentheses).
/// Parsing the printed text gives the same tree, which the round-trip tests rely on.
public enum ASTPrinter {
    public static func print(_ file: SourceFile) -> String {
        var out = file.imports.map { "import \(quote($0.path))\n" }.joined()
        for b in file.blocks {
            out += "block \(b.name)(\(params(b.params))) {\n\(body(b.body, indent: 1))}\n"
        }
        for m in file.models {
            out += "model \(m.name)(\(params(m.params))) {\n\(body(m.body, indent: 1))}\n"
        }
        return out
    }

    public static func print(_ stmts: [Stmt]) -> String { body(stmts, indent: 0) }

    private static func params(_ ps: [Param]) -> String {
        ps.map { p in
            var s = p.name
            if let t = p.type { s += ": \(type(t))" }
            if let d = p.defaultValue { s += " = \(print(d))" }
            return s
        }.joined(separator: ", ")
    }

    private static func type(_ t: TypeAnnotation) -> String {
        switch t {
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .string: return "string"
        case .tensor(let dtype, let dims, _): return "\(dtype)[\(dims.map(print).joined(separator: ", "))]"
        }
    }

    private static func body(_ stmts: [Stmt], indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent)
        var out = ""
        for s in stmts {
            switch s.kind {
            case .let(let names, let e, let destructure):
                let lhs = destructure ? "(\(names.map(\.name).joined(separator: ", ")))" : names[0].name
                out += "\(pad)let \(lhs) = \(print(e))\n"
            case .assign(let b, let e): out += "\(pad)\(b.name) = \(print(e))\n"
            case .if(let branches, let elseBody):
                for (i, br) in branches.enumerated() {
                    out += (i == 0 ? "\(pad)if " : " else if ") + "\(print(br.condition)) {\n"
                    out += body(br.body, indent: indent + 1) + "\(pad)}"
                }
                if let elseBody { out += " else {\n\(body(elseBody, indent: indent + 1))\(pad)}" }
                out += "\n"
            case .for(let b, let from, let to, let stmts):
                out += "\(pad)for \(b.name) in \(print(from))..<\(print(to)) {\n\(body(stmts, indent: indent + 1))\(pad)}\n"
            case .return(let e): out += "\(pad)return \(print(e))\n"
            case .probe(let b, let e): out += "\(pad)probe \(b.name) = \(print(e))\n"
            case .output(let b, let e): out += "\(pad)output \(b.name) = \(print(e))\n"
            case .input(let b, let t, let d):
                out += "\(pad)input \(b.name): \(type(t))" + (d.map { " = \(print($0))" } ?? "") + "\n"
            case .expression(let e): out += "\(pad)\(print(e))\n"
            }
        }
        return out
    }

    /// Binding strength; higher binds tighter.
    private static func precedence(_ e: Expr) -> Int {
        switch e.kind {
        case .binary(let op, _, _):
            switch op {
            case .or: return 1
            case .and: return 2
            case .eq, .ne, .lt, .le, .gt, .ge: return 4
            case .add, .sub: return 5
            case .mul, .div, .floorDiv, .mod: return 6
            }
        case .unary(.not, _): return 3
        case .unary(.neg, _): return 7
        default: return 8
        }
    }

    public static func print(_ e: Expr) -> String {
        func sub(_ x: Expr, _ min: Int) -> String {
            precedence(x) < min ? "(\(print(x)))" : print(x)
        }
        switch e.kind {
        case .int(let v): return String(v)
        case .float(let v): return "\(v)"
        case .bool(let v): return v ? "true" : "false"
        case .string(let parts):
            return "\"" + parts.map { part -> String in
                switch part {
                case .text(let s): return escape(s)
                case .expr(let x): return "{\(print(x))}"
                }
            }.joined() + "\""
        case .name(let n): return n
        case .wildcard: return "_"
        case .list(let items): return "[\(items.map(print).joined(separator: ", "))]"
        case .tuple(let items):
            return items.count == 1 ? "(\(print(items[0])),)" : "(\(items.map(print).joined(separator: ", ")))"
        case .index(let base, let i): return "\(sub(base, 8))[\(print(i))]"
        case .unary(let op, let x):
            return op == .not ? "not \(sub(x, 3))" : "-\(sub(x, 7))"
        case .binary(let op, let l, let r):
            let p = precedence(e)
            // Left-associative: the right operand needs parentheses at equal precedence.
            return "\(sub(l, p)) \(op.rawValue) \(sub(r, p + 1))"
        case .call(let callee, let args, let prefix):
            let a = args.map { ($0.label.map { "\($0): " } ?? "") + print($0.value) }.joined(separator: ", ")
            return "\(callee)(\(a))" + (prefix.map { " @ \(print($0))" } ?? "")
        }
    }

    private static func quote(_ s: String) -> String { StringLiteralStyle.m2Source.quote(s) }

    private static func escape(_ s: String) -> String { StringLiteralStyle.m2Source.escape(s) }
}
