import M2IR
import M2Support
import M2Syntax

/// Unwinds the current statement after its diagnostic was recorded (or silently, when it met a
/// value that had already failed).
struct Abort: Error {}

/// Expands a model into an IR graph: runs the model body at compile time, inlining every block
/// call, unrolling loops, folding scalars and emitting one IR op per tensor operation.
final class Elaborator {
    var builder: GraphBuilder
    let blocks: [String: BlockDecl]
    let options: ElaborationOptions
    var sink = DiagnosticSink()
    var frames: [CallFrame] = []
    /// Human-readable op names ("<prefix>/<variable>"), applied when the graph is finished.
    private var valueNames: [ValueID: String] = [:]
    private var inputDefaults: [ValueID: AttrValue] = [:]
    private var probeCounts: [String: Int] = [:]
    private var selectedOutputs: Set<String>?
    private var outputNames: Set<String> = []

    static let maxLoopIterations = 100_000
    private var budget = ElaborationBudget()

    init(modelName: String, blocks: [String: BlockDecl], options: ElaborationOptions) {
        builder = GraphBuilder(name: modelName)
        self.blocks = blocks
        self.options = options
    }

    var prefix: String { frames.last?.prefix ?? "" }

    /// Records an error in the current call context; throw the result to abandon the statement.
    func error(_ message: String, at range: SourceRange?, hint: String? = nil, notes: [Diagnostic] = []) -> Abort {
        sink.report(Diagnostic(.error, message, at: range, hint: hint, notes: notes), frames: frames)
        return Abort()
    }

    // MARK: Model

    func elaborate(_ model: ModelDecl) -> (graph: Graph, params: [(name: String, value: ParamValue)])? {
        let scope = Scope()
        let params = bindModelParams(model, scope: scope)
        for p in params {
            builder.setAttribute("param.\(p.name)", p.value.attribute)
            if p.name == "seq_len" { builder.setAttribute("seq_len", p.value.attribute) }
        }

        let declared = Self.outputNames(in: model.body)
        if let wanted = options.outputs {
            let unknown = wanted.filter { !declared.contains($0) }
            if !unknown.isEmpty {
                _ = error("unknown output\(unknown.count > 1 ? "s" : "") \(unknown.map { "'\($0)'" }.joined(separator: ", "))",
                          at: model.range, hint: "the model's outputs are \(declared.map { "'\($0)'" }.joined(separator: ", "))")
            }
            selectedOutputs = Set(wanted)
        }

        if case .returned = exec(model.body, scope) {}
        if builder.graph.outputs.allSatisfy(\.isProbe), !sink.hasErrors {
            _ = error("model '\(model.name)' has no outputs", at: model.range, hint: "add 'output name = value'")
        }
        if sink.hasErrors { return nil }

        var graph = builder.graph
        for i in graph.ops.indices {
            let v = graph.ops[i].result
            if let name = valueNames[v], !graph.ops[i].kind.isLeaf { graph.ops[i].name = name }
            if let d = inputDefaults[v] { graph.ops[i].annotations["default"] = d }
        }
        return (graph, params)
    }

    /// Output names in source order, including those inside `if`/`for` bodies.
    static func outputNames(in stmts: [Stmt]) -> [String] {
        var names: [String] = []
        for s in stmts {
            switch s.kind {
            case .output(let b, _): if !names.contains(b.name) { names.append(b.name) }
            case .if(let branches, let elseBody):
                for br in branches { names += outputNames(in: br.body).filter { !names.contains($0) } }
                names += outputNames(in: elseBody ?? []).filter { !names.contains($0) }
            case .for(_, _, _, let body): names += outputNames(in: body).filter { !names.contains($0) }
            default: break
            }
        }
        return names
    }

    private func bindModelParams(_ model: ModelDecl, scope: Scope) -> [(name: String, value: ParamValue)] {
        let declared = model.params.map(\.name)
        for name in options.paramOverrides.keys.sorted() where !declared.contains(name) {
            let suggestion = closestMatch(to: name, in: declared).map { "did you mean '\($0)'? " } ?? ""
            _ = error("model '\(model.name)' has no parameter '\(name)'", at: model.range,
                      hint: suggestion + "parameters: \(declared.joined(separator: ", "))")
        }
        var result: [(name: String, value: ParamValue)] = []
        for p in model.params {
            do {
                let value: Value
                if let override = options.paramOverrides[p.name] {
                    value = try checkParamType(override.value, p, at: p.range, what: "override for parameter '\(p.name)'")
                } else if let d = p.defaultValue {
                    value = try checkParamType(try eval(d, scope), p, at: d.range, what: "default of parameter '\(p.name)'")
                } else {
                    throw error("model parameter '\(p.name)' has no default", at: p.range,
                                hint: "give it a default or pass --param \(p.name)=…")
                }
                guard let pv = paramValue(value) else {
                    throw error("model parameter '\(p.name)' must be int, float, bool or string, got \(describe(value))", at: p.range)
                }
                scope.define(p.name, value)
                result.append((p.name, pv))
            } catch {
                scope.define(p.name, .poison)
            }
        }
        return result
    }

    private func checkParamType(_ v: Value, _ p: Param, at range: SourceRange, what: String) throws -> Value {
        guard let t = p.type else { return v }
        if t.isTensor { throw error("model parameters cannot be tensors; declare an 'input' instead", at: p.range) }
        return try coerce(v, to: t, at: range, what: what)
    }

    private func paramValue(_ v: Value) -> ParamValue? {
        switch v {
        case .int(let x): return .int(x)
        case .float(let x): return .float(x)
        case .bool(let x): return .bool(x)
        case .string(let x): return .string(x)
        default: return nil
        }
    }

    // MARK: Statements

    enum Flow {
        case normal
        case returned(Value)
    }

    /// Runs statements in order. A failing statement poisons what it would have defined and the
    /// rest still run, so independent mistakes are all reported.
    func exec(_ stmts: [Stmt], _ scope: Scope) -> Flow {
        for s in stmts {
            do {
                if case .returned(let v) = try exec(s, scope) { return .returned(v) }
            } catch {
                switch s.kind {
                case .let(let names, _, _): for b in names { scope.define(b.name, .poison) }
                case .assign(let b, _): _ = scope.assign(b.name, .poison)
                case .input(let b, _, _): scope.define(b.name, .poison)
                case .return: return .returned(.poison)
                default: break
                }
            }
        }
        return .normal
    }

    private var inModel: Bool { frames.isEmpty }

    /// Charges one step of work; past the budget, reports the limit once and abandons everything after it.
    private func spendBudget(at range: SourceRange) throws {
        if budget.exhausted { throw Abort() }
        switch budget.spend(opCount: builder.graph.ops.count) {
        case nil: return
        case .steps:
            throw error("elaboration exceeds \(ElaborationBudget.maxSteps) steps (statements and loop iterations)", at: range,
                        hint: "loops and block calls are unrolled at compile time; is a loop bound or a chain of calls far larger than intended?")
        case .ops(let count):
            throw error("the model expands to more than \(ElaborationBudget.maxOps) IR ops (\(count) so far)", at: range,
                        hint: "loops and block calls are unrolled at compile time; is a layer count far larger than intended?")
        }
    }

    private func exec(_ s: Stmt, _ scope: Scope) throws -> Flow {
        try spendBudget(at: s.range)
        switch s.kind {
        case .let(let names, let e, let destructure):
            for b in names where scope.definesLocally(b.name) {
                throw error("'\(b.name)' is already defined in this scope", at: b.range,
                            hint: "use '\(b.name) = …' to give it a new value")
            }
            let v = try eval(e, scope)
            if destructure {
                let items: [Value]
                switch v {
                case .tuple(let xs), .list(let xs): items = xs
                default: throw error("cannot destructure \(describe(v)) into \(names.count) names", at: e.range)
                }
                guard items.count == names.count else {
                    throw error("cannot destructure \(items.count) values into \(names.count) names", at: names[0].range)
                }
                for (b, item) in zip(names, items) { bind(b, item, scope) }
            } else {
                bind(names[0], v, scope)
            }
        case .assign(let b, let e):
            guard scope.lookup(b.name) != nil else {
                let similar = closestMatch(to: b.name, in: scope.visibleNames)
                throw error("cannot assign to undefined variable '\(b.name)'", at: b.range,
                            hint: "use 'let \(b.name) = …' to define it" + (similar.map { ", or did you mean '\($0)'?" } ?? ""))
            }
            let v = try eval(e, scope)
            name(v, b.name)
            _ = scope.assign(b.name, v)
        case .if(let branches, let elseBody):
            for br in branches {
                let condition = try evalLive(br.condition, scope)
                guard case .bool(let c) = condition else {
                    throw error("'if' needs a compile-time bool condition, got \(describe(condition))", at: br.condition.range)
                }
                if c { return exec(br.body, Scope(parent: scope)) }
            }
            if let elseBody { return exec(elseBody, Scope(parent: scope)) }
        case .for(let b, let fromExpr, let toExpr, let body):
            let from = try int(fromExpr, scope, what: "loop start")
            let to = try int(toExpr, scope, what: "loop end")
            guard to - from <= Self.maxLoopIterations else {
                throw error("loop of \(to - from) iterations is too long to unroll (limit \(Self.maxLoopIterations))", at: s.range)
            }
            for i in from..<max(from, to) {
                try spendBudget(at: s.range)
                let inner = Scope(parent: scope)
                inner.define(b.name, .int(i))
                if case .returned(let v) = exec(body, inner) { return .returned(v) }
            }
        case .return(let e):
            if inModel { throw error("'return' is not allowed in a model", at: s.range, hint: "use 'output name = value'") }
            return .returned(try eval(e, scope))
        case .probe(let b, let e):
            let v = try tensor(e, scope, what: "a probe")
            if options.keepProbes {
                let base = prefix.isEmpty ? b.name : "\(prefix):\(b.name)"
                let n = probeCounts[base, default: 0]
                probeCounts[base] = n + 1
                builder.output(n == 0 ? base : "\(base)#\(n)", v, isProbe: true)
            }
        case .output(let b, let e):
            guard inModel else { throw error("'output' is only allowed in the model body", at: s.range, hint: "return the value instead") }
            if let selected = selectedOutputs, !selected.contains(b.name) { return .normal }
            guard outputNames.insert(b.name).inserted else { throw error("duplicate output '\(b.name)'", at: b.range) }
            let v = try tensor(e, scope, what: "an output")
            name(.tensor(v), b.name)
            builder.output(b.name, v)
        case .input(let b, let type, let defaultExpr):
            guard inModel else { throw error("'input' is only allowed in the model body", at: s.range, hint: "pass the tensor as a block parameter") }
            try declareInput(b, type, defaultExpr, scope)
        case .expression(let e):
            let v = try eval(e, scope)
            if case .tensor = v {
                throw error("unused tensor value", at: e.range, hint: "bind it with 'let', or 'probe' it")
            }
        }
        return .normal
    }

    private func bind(_ b: Binding, _ v: Value, _ scope: Scope) {
        name(v, b.name)
        scope.define(b.name, v)
    }

    private func name(_ v: Value, _ variable: String) {
        guard case .tensor(let id) = v, valueNames[id] == nil else { return }
        valueNames[id] = prefix.isEmpty ? variable : "\(prefix)/\(variable)"
    }

    private func declareInput(_ b: Binding, _ type: TypeAnnotation, _ defaultExpr: Expr?, _ scope: Scope) throws {
        guard case .tensor(let dtypeName, let dimExprs, let typeRange) = type, let dtype = DType(rawValue: dtypeName) else {
            throw error("an input needs a tensor type such as i32[seq_len]", at: b.range)
        }
        var dims: [Int] = []
        for d in dimExprs {
            let n = try int(d, scope, what: "input dimension")
            guard n > 0 else { throw error("input dimension must be positive, got \(n)", at: d.range) }
            dims.append(n)
        }
        let v: ValueID
        do {
            v = try builder.input(b.name, type: TensorType(dtype, dims, batched: true), location: b.range.start)
        } catch {
            throw self.error(error.message, at: typeRange)
        }
        if let defaultExpr {
            switch try eval(defaultExpr, scope) {
            case .int(let x): inputDefaults[v] = .int(x)
            case .float(let x): inputDefaults[v] = .double(x)
            case let other: throw error("an input default must be a number, got \(describe(other))", at: defaultExpr.range)
            }
        }
        scope.define(b.name, .tensor(v))
    }

    // MARK: Helpers used by expressions, calls and builtins

    func describe(_ v: Value) -> String {
        switch v {
        case .int(let x): return "int \(x)"
        case .float(let x): return "float \(formatDouble(x))"
        case .bool(let x): return "bool \(x)"
        case .string(let x): return "string \"\(escapeString(x))\""
        case .list(let xs): return "list of \(xs.count)"
        case .tuple(let xs): return "tuple of \(xs.count)"
        case .tensor(let id): return "tensor \(builder.type(of: id))"
        case .none, .poison: return v.kindName
        }
    }

    func type(of id: ValueID) -> TensorType { builder.type(of: id) }

    /// Evaluates and aborts silently on an already-failed value.
    func evalLive(_ e: Expr, _ scope: Scope) throws -> Value {
        let v = try eval(e, scope)
        if v.containsPoison { throw Abort() }
        return v
    }

    func int(_ e: Expr, _ scope: Scope, what: String) throws -> Int {
        let v = try evalLive(e, scope)
        guard case .int(let x) = v else { throw error("\(what) must be an int, got \(describe(v))", at: e.range) }
        return x
    }

    func tensor(_ e: Expr, _ scope: Scope, what: String) throws -> ValueID {
        let v = try evalLive(e, scope)
        guard case .tensor(let id) = v else { throw error("\(what) must be a tensor, got \(describe(v))", at: e.range) }
        return id
    }

    /// Adds an IR op, reporting a shape rule violation at `range`.
    func emit(_ kind: OpKind, _ operands: [ValueID], at range: SourceRange, reshapeTo: [Int]? = nil) throws -> ValueID {
        do {
            return try builder.add(kind, operands, reshapeTo: reshapeTo, location: range.start)
        } catch {
            throw self.error(error.message, at: range)
        }
    }

    /// Checks (and converts int → float) a value against a declared scalar or tensor type.
    func coerce(_ v: Value, to t: TypeAnnotation, at range: SourceRange, what: String) throws -> Value {
        if v.containsPoison { throw Abort() }
        switch (t, v) {
        case (.int, .int), (.float, .float), (.bool, .bool), (.string, .string): return v
        case (.float, .int(let x)): return .float(Double(x))
        case (.tensor(let dtype, _, _), .tensor(let id)):
            guard type(of: id).dtype.rawValue == dtype else {
                throw error("\(what) must be a \(dtype) tensor, got \(describe(v))", at: range)
            }
            return v
        case (.tensor, _): throw error("\(what) must be a tensor, got \(describe(v))", at: range)
        default:
            let hint: String? = if case .float = v, t == .int { "use int(…) to truncate" } else { nil }
            throw error("\(what) must be \(Self.typeName(t)), got \(describe(v))", at: range, hint: hint)
        }
    }

    static func typeName(_ t: TypeAnnotation) -> String {
        switch t {
        case .int: return "int"
        case .float: return "float"
        case .bool: return "bool"
        case .string: return "string"
        case .tensor(let dtype, _, _): return "a \(dtype) tensor"
        }
    }
}
