import M2IR
import M2Support
import M2Syntax

extension Elaborator {
    func call(_ callee: String, _ args: [Argument], prefix: Expr?, at range: SourceRange, _ scope: Scope) throws -> Value {
        if let decl = blocks[callee] {
            return try callBlock(decl, args, prefixExpr: prefix, at: range, scope)
        }
        guard let signature = Builtins.signatures[callee] else {
            let isBlockName = callee.first?.isUppercase == true
            let candidates = isBlockName ? Array(blocks.keys) : Builtins.names
            throw error("unknown \(isBlockName ? "block" : "function") '\(callee)'", at: range,
                        hint: closestMatch(to: callee, in: candidates).map { "did you mean '\($0)'?" })
        }
        if let prefix {
            throw error("'@' weight prefixes apply to block calls only; '\(callee)' is a builtin", at: prefix.range,
                        hint: "builtins read weights with weight(\"key\", shape)")
        }
        let bound = try bind(args, to: signature, function: callee, at: range, scope)
        return try callBuiltin(callee, bound)
    }

    /// Binds a builtin's arguments by position, then by label.
    private func bind(_ args: [Argument], to signature: Builtins.Signature, function: String,
                      at range: SourceRange, _ scope: Scope) throws -> BuiltinArguments {
        var bound = BuiltinArguments(function: function, callRange: range, elaborator: self)
        var positional = 0
        for a in args {
            let v = try evalLive(a.value, scope)
            if signature.variadic {
                if let label = a.label { throw error("\(function) takes no named arguments, got '\(label)'", at: a.labelRange) }
                bound.variadic.append((v, a.value.range))
                continue
            }
            let name: String
            if let label = a.label {
                guard signature.params.contains(label) else {
                    throw error("\(function) has no parameter '\(label)'", at: a.labelRange,
                                hint: closestMatch(to: label, in: signature.params).map { "did you mean '\($0)'?" }
                                    ?? "\(function)(\(signature.params.joined(separator: ", ")))")
                }
                name = label
            } else {
                guard positional < signature.params.count else {
                    throw error("\(function) takes at most \(signature.params.count) argument(s)", at: a.value.range,
                                hint: "\(function)(\(signature.params.joined(separator: ", ")))")
                }
                name = signature.params[positional]
                positional += 1
            }
            guard bound.values[name] == nil else { throw error("argument '\(name)' is given twice", at: a.labelRange ?? a.value.range) }
            bound.values[name] = (v, a.value.range)
        }
        let missing = signature.params.prefix(signature.required).filter { bound.values[$0] == nil }
        if !missing.isEmpty {
            throw error("missing argument\(missing.count > 1 ? "s" : "") \(missing.map { "'\($0)'" }.joined(separator: ", ")) in call to \(function)",
                        at: range, hint: "\(function)(\(signature.params.joined(separator: ", ")))")
        }
        return bound
    }

    static func joinPrefix(_ outer: String, _ inner: String) -> String {
        if inner.hasPrefix("/") { return String(inner.dropFirst()) }
        if outer.isEmpty { return inner }
        if inner.isEmpty { return outer }
        return "\(outer).\(inner)"
    }

    /// Inlines a block: binds its parameters (checking types and binding annotation dims), then
    /// runs its body in a fresh scope under the call's weight prefix.
    func callBlock(_ decl: BlockDecl, _ args: [Argument], prefixExpr: Expr?, at range: SourceRange, _ scope: Scope) throws -> Value {
        if let i = frames.firstIndex(where: { $0.block == decl.name }) {
            let cycle = frames[i...].map(\.block) + [decl.name]
            throw error("recursive block call: \(cycle.joined(separator: " → "))", at: range,
                        hint: "blocks are expanded at compile time and cannot call themselves")
        }
        var newPrefix = prefix
        if let prefixExpr {
            let p = try evalLive(prefixExpr, scope)
            guard case .string(let s) = p else { throw error("a weight prefix must be a string, got \(describe(p))", at: prefixExpr.range) }
            newPrefix = Self.joinPrefix(prefix, s)
        }
        let declaredHere = [Diagnostic(.note, "\(decl.name) is declared here", at: decl.range)]
        let paramNames = decl.params.map(\.name)
        var provided: [String: (value: Value, range: SourceRange)] = [:]
        var positional = 0
        for a in args {
            let v = try evalLive(a.value, scope)
            let name: String
            if let label = a.label {
                guard paramNames.contains(label) else {
                    throw error("\(decl.name) has no parameter '\(label)'", at: a.labelRange,
                                hint: closestMatch(to: label, in: paramNames).map { "did you mean '\($0)'?" }
                                    ?? "its parameters are \(paramNames.joined(separator: ", "))",
                                notes: declaredHere)
                }
                name = label
            } else {
                guard positional < paramNames.count else {
                    throw error("\(decl.name) takes \(paramNames.count) parameter(s), but more positional arguments were given",
                                at: a.value.range, notes: declaredHere)
                }
                name = paramNames[positional]
                positional += 1
            }
            guard provided[name] == nil else { throw error("argument '\(name)' is given twice", at: a.labelRange ?? a.value.range) }
            provided[name] = (v, a.value.range)
        }
        let missing = decl.params.filter { provided[$0.name] == nil && $0.defaultValue == nil }.map(\.name)
        if !missing.isEmpty {
            throw error("missing argument\(missing.count > 1 ? "s" : "") \(missing.map { "'\($0)'" }.joined(separator: ", ")) in call to \(decl.name)",
                        at: range, notes: declaredHere)
        }

        let frame = CallFrame(block: decl.name, callRange: range, prefix: newPrefix)
        let inner = Scope()
        for p in decl.params {
            let what = "argument '\(p.name)' of \(decl.name)"
            if let (v, argRange) = provided[p.name] {
                // Argument mistakes are the caller's: report them in the caller's context.
                let checked = try checkArgument(v, p, what: what, at: argRange, scope: inner)
                inner.define(p.name, checked)
            } else if let d = p.defaultValue {
                frames.append(frame)
                defer { frames.removeLast() }
                let checked = try checkArgument(try evalLive(d, inner), p, what: "default of '\(p.name)'", at: d.range, scope: inner)
                inner.define(p.name, checked)
            }
        }

        frames.append(frame)
        defer { frames.removeLast() }
        switch exec(decl.body, inner) {
        case .returned(let v):
            if v.containsPoison { throw Abort() }
            return v
        case .normal:
            return .none
        }
    }

    private func checkArgument(_ v: Value, _ p: Param, what: String, at range: SourceRange, scope: Scope) throws -> Value {
        guard let t = p.type else {
            // Untyped parameters are tensors.
            guard case .tensor = v else {
                throw error("\(what) must be a tensor, got \(describe(v))", at: range,
                            notes: [Diagnostic(.note, "parameter declared here; give it a type such as 'int' to pass a number", at: p.range)])
            }
            return v
        }
        let checked = try coerce(v, to: t, at: range, what: what)
        if case .tensor(_, let dims, _) = t, case .tensor(let id) = checked {
            try matchDims(dims, type(of: id), param: p, what: what, at: range, scope: scope)
        }
        return checked
    }

    /// Matches a tensor annotation's dims against the actual per-sequence shape. A name not yet
    /// defined binds to the actual size (so `u: f32[L, H]` defines L and H); `_` matches anything.
    private func matchDims(_ dims: [Expr], _ t: TensorType, param: Param, what: String, at range: SourceRange, scope: Scope) throws {
        let annotation = "[\(dims.map { ASTPrinter.print($0) }.joined(separator: ", "))]"
        let declared = [Diagnostic(.note, "'\(param.name)' is declared here", at: param.range)]
        guard dims.count == t.rank else {
            throw error("\(what) must have \(dims.count) dimension(s) \(annotation), got \(t)",
                        at: range, notes: declared)
        }
        for (i, d) in dims.enumerated() {
            let actual = t.shape[i]
            switch d.kind {
            case .wildcard:
                continue
            case .name(let n) where scope.lookup(n) == nil:
                scope.define(n, .int(actual))
            default:
                let expected = try int(d, scope, what: "a dimension")
                guard expected == actual else {
                    throw error("\(what) has size \(actual) in dimension \(i), but its type \(annotation) requires \(expected)",
                                at: range, notes: declared)
                }
            }
        }
    }
}
