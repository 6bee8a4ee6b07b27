import M2IR
import M2Support

/// Primitives: lowercase functions that each emit one IR op (`split`, implemented with the
/// builtins because it returns a tuple, emits one slice per part).
/// Axes may be negative; they are normalised against the static dims before reaching the IR.
enum Primitives {
    static let unaryFunctions: [String: UnaryFn] = [
        "gelu": .gelu, "gelu_tanh": .geluTanh, "sin": .sin, "cos": .cos, "exp": .exp, "log": .log,
        "tanh": .tanh, "sigmoid": .sigmoid, "relu": .relu, "abs": .abs, "sqrt": .sqrt, "rsqrt": .rsqrt,
        "square": .square,
    ]
    static let reductions: [String: ReduceFn] = ["sum": .sum, "mean": .mean, "reduce_max": .max]

    static let signatures: [String: Builtins.Signature] = {
        var s: [String: Builtins.Signature] = [
            "maximum": .init(params: ["a", "b"], required: 2),
            "minimum": .init(params: ["a", "b"], required: 2),
            "blockdiag_matmul": .init(params: ["x", "w", "out"], required: 2),
            "layer_norm": .init(params: ["x", "gamma", "beta", "eps"], required: 4),
            "gather": .init(params: ["table", "ids"], required: 2),
            "short_conv": .init(params: ["x", "w", "bias"], required: 2),
            "long_conv": .init(params: ["x", "k_fwd", "k_rev", "skip"], required: 2),
            "transpose": .init(params: ["x", "perm"], required: 2),
            "reshape": .init(params: ["x", "shape"], required: 2),
            "slice": .init(params: ["x", "axis", "start", "end"], required: 2),
            "split": .init(params: ["x", "n", "axis"], required: 3),
            "concat": .init(params: ["xs", "axis"], required: 2),
            "cast": .init(params: ["x", "dtype"], required: 2),
        ]
        for name in unaryFunctions.keys { s[name] = .init(params: ["x"], required: 1) }
        for name in reductions.keys { s[name] = .init(params: ["x", "axis"], required: 2) }
        return s
    }()
}

extension Elaborator {
    func callPrimitive(_ name: String, _ a: BuiltinArguments) throws -> ValueID {
        let at = a.callRange
        if let fn = Primitives.unaryFunctions[name] {
            return try emit(.unary(fn), [try a.tensor("x")], at: at)
        }
        if let fn = Primitives.reductions[name] {
            let x = try a.tensor("x")
            return try emit(.reduce(fn, axis: try a.axis("axis", rank: type(of: x).rank)), [x], at: at)
        }
        switch name {
        case "maximum", "minimum":
            return try emit(.binary(name == "maximum" ? .maximum : .minimum), [try a.tensor("a"), try a.tensor("b")], at: at)
        case "blockdiag_matmul":
            let x = try a.tensor("x"), w = try a.tensor("w")
            let ws = type(of: w).shape
            // Default: every output of every block (nb·q for [nb, q, p], out for [out, in]).
            let full = ws.count == 3 ? ws[0] * ws[1] : ws.first ?? 0
            return try emit(.blockDiagMatmul(outFeatures: try a.int("out", default: full)), [x, w], at: at)
        case "layer_norm":
            let eps = try a.number("eps")
            return try emit(.layerNorm(eps: eps), [try a.tensor("x"), try a.tensor("gamma"), try a.tensor("beta")], at: at)
        case "gather":
            return try emit(.gather, [try a.tensor("table"), try a.tensor("ids")], at: at)
        case "short_conv":
            let x = try a.tensor("x"), w = try a.tensor("w")
            let ws = type(of: w).shape
            guard ws.count == 2 else {
                throw error("short_conv: weight must be [channels, taps], got \(type(of: w))", at: a.range("w"),
                            hint: "reshape a Conv1d weight [C, 1, taps] to [C, taps]")
            }
            let bias = try a.optionalTensor("bias")
            return try emit(.shortConv(taps: ws[1]), [x, w] + (bias.map { [$0] } ?? []), at: at)
        case "long_conv":
            let x = try a.tensor("x"), kFwd = try a.tensor("k_fwd")
            let kRev = try a.optionalTensor("k_rev"), skip = try a.optionalTensor("skip")
            let operands = [x, kFwd] + (kRev.map { [$0] } ?? []) + (skip.map { [$0] } ?? [])
            return try emit(.longConv(bidirectional: kRev != nil, hasSkip: skip != nil), operands, at: at)
        case "transpose":
            let x = try a.tensor("x")
            let rank = type(of: x).rank
            let perm = try a.ints("perm").map { $0 < 0 ? $0 + rank : $0 }
            return try emit(.transpose(perm: perm), [x], at: at)
        case "reshape":
            let x = try a.tensor("x")
            return try emit(.reshape, [x], at: at, reshapeTo: try reshapeTarget(a, type(of: x)))
        case "slice":
            let x = try a.tensor("x")
            let t = type(of: x)
            let axis = try a.axis("axis", rank: t.rank)
            let n = t.shape[axis]
            func bound(_ key: String, _ d: Int) throws -> Int {
                let v = try a.int(key, default: d)
                return v < 0 ? v + n : v
            }
            return try emit(.slice(axis: axis, start: try bound("start", 0), end: try bound("end", n)), [x], at: at)
        case "concat":
            let items = try a.items("xs")
            var operands: [ValueID] = []
            for item in items {
                guard case .tensor(let id) = item else {
                    throw error("concat needs a list of tensors, got \(describe(item)) in the list", at: a.range("xs"))
                }
                operands.append(id)
            }
            guard let first = operands.first else { throw error("concat needs at least one tensor", at: a.range("xs")) }
            return try emit(.concat(axis: try a.axis("axis", rank: type(of: first).rank)), operands, at: at)
        case "cast":
            let s = try a.string("dtype")
            guard let dtype = DType(rawValue: s) else {
                throw error("unknown element type '\(s)'", at: a.range("dtype"), hint: "use \"f32\" or \"i32\"")
            }
            return try emit(.cast(dtype), [try a.tensor("x")], at: at)
        default:
            preconditionFailure("builtin '\(name)' has a signature but no implementation")
        }
    }

    /// The target shape of `reshape`, with at most one -1 standing for the remaining size.
    private func reshapeTarget(_ a: BuiltinArguments, _ t: TensorType) throws -> [Int] {
        var shape = try a.ints("shape")
        let holes = shape.indices.filter { shape[$0] == -1 }
        guard holes.count <= 1, shape.allSatisfy({ $0 == -1 || $0 >= 1 }) else {
            throw error("reshape: dimensions must be positive, with at most one -1, got \(shape)", at: a.range("shape"))
        }
        if let hole = holes.first {
            let known = shape.filter { $0 != -1 }.reduce(1, *)
            guard t.elementCount % known == 0 else {
                throw error("reshape: cannot reshape \(t) (\(t.elementCount) elements) to \(shape)", at: a.range("shape"))
            }
            shape[hole] = t.elementCount / known
        }
        return shape
    }
}
