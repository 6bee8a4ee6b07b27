import M2IR

/// Turns each op into an instantiated kernel template plus the line of C that calls it. All the Swift side
/// decides is which template, and the numbers and pointers that fill it.
struct KernelInstantiator {
    let templates: TemplateSet
    let plan: ExecutionPlan
    let types: [ValueID: TensorType]
    let inputNames: [ValueID: String]
    let libraryName: String
    let options: CPUEmitOptions
    /// The tiles of every matmul with a packed weight, by result.
    let tilings: [ValueID: GemmTiling]
    /// How each `monarch_conv` runs, by result.
    let monarchPlans: [ValueID: MonarchConvKernelPlan]

    /// The kernel definition and its call for one op, plus file-level support code it needs (micro-kernels,
    /// includes), by name: the emitter writes each name once, before the kernels.
    struct Instance {
        var kernel: String
        var call: String
        var support: [(name: String, text: String)] = []
        /// A call the model makes once at open (tables a forward kernel reads), if any.
        var prologueCall: String? = nil
    }

    func instantiate(_ op: Op) throws(CPUEmitError) -> Instance {
        let fn = "k\(op.result.raw)_\(op.kind.mnemonic)"
        let where_ = op.name.map { "\($0): " } ?? ""
        var values: [String: String] = ["FN": fn, "COMMENT": "\(where_)\(op.result) = \(op.kind.mnemonic) : \(op.type)"]
        let x = op.operands.first.map { type($0) }
        let ptr = { (v: ValueID) in self.pointer(v) }

        func simple(_ template: String, _ operands: [ValueID], _ values: [String: String]) throws(CPUEmitError) -> Instance {
            let kernel = try templates.render(template, values)
            let args = (operands.map(ptr) + [pointer(op.result)]).map { ", " + $0 }.joined()
            let call = try templates.fragment("call", ["FN": fn, "ARGS": args, "COMMENT": op.kind.mnemonic])
            return Instance(kernel: kernel, call: call)
        }

        switch op.kind {
        case .input, .weight, .constant, .reshape:
            throw .unsupported(op: describe(op), reason: "leaves and reshapes have no kernel")

        case .unary(let f):
            return try withMath(elementwise(op, &values, expr: templates.expression(f.rawValue)))
        case .scale(let c):
            return try elementwise(op, &values, expr: templates.expression("scale", ["C": cFloat(c)]))
        case .shift(let c):
            return try elementwise(op, &values, expr: templates.expression("shift", ["C": cFloat(c)]))
        case .cast(let to):
            guard let x else { throw .unsupported(op: describe(op), reason: "missing operand") }
            values["IN_T"] = cType(x.dtype)
            return try elementwise(op, &values, expr: templates.expression("cast_\(x.dtype.rawValue)_\(to.rawValue)"))

        case .binary(let f):
            let t = op.type
            if t.dtype == .i32 && f == .div { throw .unsupported(op: describe(op), reason: "integer division") }
            let exprName = t.dtype == .i32 && templates.hasExpression("\(f.rawValue)_i32") ? "\(f.rawValue)_i32" : f.rawValue
            let expr = try templates.expression(exprName)
            let (outer, inner) = rows(of: t.shape)
            let a = type(op.operands[0]), b = type(op.operands[1])
            let aStrides = Strides.broadcast(a.shape, into: t.shape), bStrides = Strides.broadcast(b.shape, into: t.shape)
            values.merge([
                "T": cType(t.dtype), "EXPR": expr, "EXPR_DOC": expr,
                "OUTER_DIMS": list(outer), "OUTER_RANK": "\(outer.count)", "ROWS": "\(outer.reduce(1, *))", "INNER": "\(inner)",
                "LHS_STRIDES": list(outerPart(aStrides)), "RHS_STRIDES": list(outerPart(bStrides)),
                "LHS_INNER_STRIDE": "\(aStrides.last ?? 0)", "RHS_INNER_STRIDE": "\(bStrides.last ?? 0)",
                "LHS_BATCH_STRIDE": "\(batchStride(a))", "RHS_BATCH_STRIDE": "\(batchStride(b))",
            ]) { $1 }
            return try simple("binary.c.tmpl", op.operands, values)

        case .blockDiagMatmul(let m), .fusedMatmul(let m, _):
            let (xt, w) = (type(op.operands[0]), type(op.operands[1]))
            let epilogue = GemmEpilogue(op.kind)
            values.merge(epilogue.values(fn: fn, outFeatures: m)) { $1 }
            guard !w.batched else { throw .unsupported(op: describe(op), reason: "a weight that depends on the batch") }
            let (nb, q, p) = WeightPacking.blocks(of: w.shape)
            let n = xt.shape.last ?? 1
            values.merge([
                "NB": "\(nb)", "Q": "\(q)", "P": "\(p)", "N": "\(n)", "M": "\(m)", "ROWS": "\(xt.elementCount / max(1, n))",
            ]) { $1 }
            let args = ([pointer(op.operands[0]), plan.packedWeight[op.result].map { "M2_TENSOR(float, \($0))" } ?? pointer(op.operands[1])]
                        + op.operands.dropFirst(2).map(ptr) + [pointer(op.result)]).map { ", " + $0 }.joined()
            let call = try templates.fragment("call", ["FN": fn, "ARGS": args, "COMMENT": op.kind.mnemonic])
            let epilogueSupport = (name: "gemm_epilogue", text: try templates.render("gemm_epilogue.c.tmpl", [:]))
            if let halves = GLUHalves(op.kind, weight: w) {
                return try withMath(packedGLUGemm(op, halves: halves, weight: w, epilogue: epilogue, values: values,
                                                  call: call, support: epilogueSupport))
            }
            let apply = try epilogue.applyFunction(fn: fn, comment: values["COMMENT"] ?? fn, templates: templates)
            guard plan.packedWeight[op.result] != nil, let tiling = tilings[op.result] else {
                // A weight computed at open: read as in the IR by the plain row-tiled loop (runs once).
                values.merge([
                    "TILE": "\(max(1, options.matmulRowTile))", "X_BATCH_STRIDE": "\(batchStride(xt))", "W_BATCH_STRIDE": "0",
                    "W_BLOCK_STRIDE": "\(q * p)", "W_IN_STRIDE": "1", "W_OUT_STRIDE": "\(p)", "W_LAYOUT": "as in the IR, [nb][q][p]",
                ]) { $1 }
                return try withMath(Instance(kernel: apply + templates.render("blockdiag_matmul.c.tmpl", values), call: call,
                                         support: [epilogueSupport]))
            }
            var instance = try packedGemm(tiling, weight: w, values: values, call: call)
            instance.kernel = apply + instance.kernel
            instance.support.insert(epilogueSupport, at: 0)
            return try withMath(instance)

        case .layerNorm(let eps):
            let d = op.type.shape.last ?? 1
            values.merge(["D": "\(d)", "ROWS": "\(op.type.elementCount / d)", "EPS": "\(eps)"]) { $1 }
            return try withMath(simple("layer_norm.c.tmpl", op.operands, values))

        case .reduce(let f, let axis):
            guard let x else { throw .unsupported(op: describe(op), reason: "missing operand") }
            let n = x.shape[axis]
            values.merge([
                "OUTER": "\(x.shape[..<axis].reduce(1, *))", "N": "\(n)", "INNER": "\(x.shape[(axis + 1)...].reduce(1, *))",
                "INIT": try templates.expression("reduce_\(f.rawValue)_init"),
                "STEP": try templates.expression("reduce_\(f.rawValue)_step"),
                "FINAL": try templates.expression("reduce_\(f.rawValue)_final", ["N": "\(n).0"]),
            ]) { $1 }
            return try simple("reduce.c.tmpl", op.operands, values)

        case .gather:
            let (table, ids) = (type(op.operands[0]), type(op.operands[1]))
            values.merge([
                "NAME": libraryName, "PREFIX": libraryName.uppercased(),
                "TABLE_ROWS": "\(table.shape[0])", "DIM": "\(table.shape[1])", "COUNT": "\(ids.elementCount)",
                "IDS_NAME": escapeC(idsName(op.operands[1])),
            ]) { $1 }
            let kernel = try templates.render("gather.c.tmpl", values)
            let args = (op.operands.map(ptr) + [pointer(op.result)]).map { ", " + $0 }.joined()
            return Instance(kernel: kernel, call: try templates.fragment("checked_call", ["FN": fn, "ARGS": args, "COMMENT": op.kind.mnemonic]))

        case .shortConv(let taps, let layout):
            let (c, l) = layout.channelsAndLength(of: op.type.shape)
            values.merge([
                "TAPS": "\(taps)", "C": "\(c)", "L": "\(l)", "ROWS": "\(op.type.elementCount / l)",
                "SEQUENCES": "\(op.type.elementCount / (l * c))", "BLOCK": "32",
                "HAS_BIAS": op.operands.count == 3 ? "1" : "0",
            ]) { $1 }
            let kernel = try templates.render(layout == .channelsFirst ? "short_conv.c.tmpl" : "short_conv_channels_last.c.tmpl", values)
            let bias = op.operands.count == 3 ? pointer(op.operands[2]) : "NULL"
            let args = [pointer(op.operands[0]), pointer(op.operands[1]), bias, pointer(op.result)].map { ", " + $0 }.joined()
            return Instance(kernel: kernel, call: try templates.fragment("call", ["FN": fn, "ARGS": args, "COMMENT": op.kind.mnemonic]))

        case .longConv(let bidirectional, let hasSkip):
            let (h, l) = (op.type.shape[op.type.rank - 2], op.type.shape[op.type.rank - 1])
            values.merge([
                "H": "\(h)", "L": "\(l)", "ROWS": "\(op.type.elementCount / l)",
                "BIDIRECTIONAL": bidirectional ? "1" : "0", "HAS_SKIP": hasSkip ? "1" : "0",
            ]) { $1 }
            let kernel = try templates.render("long_conv.c.tmpl", values)
            let kRev = bidirectional ? pointer(op.operands[2]) : "NULL"
            let d = hasSkip ? pointer(op.operands[op.operands.count - 1]) : "NULL"
            let args = [pointer(op.operands[0]), pointer(op.operands[1]), kRev, d, pointer(op.result)].map { ", " + $0 }.joined()
            return Instance(kernel: kernel, call: try templates.fragment("call", ["FN": fn, "ARGS": args, "COMMENT": op.kind.mnemonic]))

        case .monarchConv:
            return try monarchConv(op, values: values)

        case .transpose(let perm):
            guard let x else { throw .unsupported(op: describe(op), reason: "missing operand") }
            if let swap = Self.lastTwoAxesSwap(perm, shape: x.shape) {
                values.merge([
                    "T": cType(op.type.dtype), "MATRICES": "\(swap.matrices)", "R": "\(swap.rows)", "C": "\(swap.columns)",
                    "TILE": "32",
                ]) { $1 }
                return try simple("transpose2d.c.tmpl", op.operands, values)
            }
            let source = Strides.rowMajor(x.shape)
            return try stridedCopy(op, &values, strides: perm.map { source[$0] }, base: 0)
        case .slice(let axis, let start, _):
            guard let x else { throw .unsupported(op: describe(op), reason: "missing operand") }
            let source = Strides.rowMajor(x.shape)
            return try stridedCopy(op, &values, strides: source, base: start * source[axis])

        case .concat(let axis):
            let t = op.type
            let inner = t.shape[(axis + 1)...].reduce(1, *)
            let parts = op.operands.map { type($0) }
            let chunks = parts.map { $0.shape[axis] * inner }
            let offsets = chunks.indices.map { chunks[..<$0].reduce(0, +) }
            values.merge([
                "T": cType(t.dtype), "PARTS": "\(parts.count)", "OUTER": "\(t.shape[..<axis].reduce(1, *))",
                "ROW": "\(t.shape[axis] * inner)", "CHUNKS": list(chunks), "OFFSETS": list(offsets),
                "BATCH_STRIDES": list(parts.map(batchStride)),
            ]) { $1 }
            let kernel = try templates.render("concat.c.tmpl", values)
            let call = try templates.fragment("parts_call", [
                "FN": fn, "CTYPE": cType(t.dtype), "PARTS": op.operands.map(ptr).joined(separator: ", "),
                "RESULT": pointer(op.result), "COMMENT": op.kind.mnemonic,
            ])
            return Instance(kernel: kernel, call: call)

        case .glu(let f):
            let width = x?.shape.last ?? 2
            let expr = try templates.expression(f.rawValue)
            values.merge([
                "EXPR": expr, "EXPR_DOC": f.rawValue, "WIDTH": "\(width)", "I": "\(width / 2)",
                "ROWS": "\(op.type.elementCount / max(1, width / 2))",
            ]) { $1 }
            return try withMath(simple("glu.c.tmpl", op.operands, values))

        case .addLayerNorm(let eps):
            let d = op.type.shape.last ?? 1
            values.merge([
                "D": "\(d)", "ROWS": "\(op.type.elementCount / max(1, d))", "EPS": "\(eps)",
                "A_BATCH_STRIDE": "\(batchStride(type(op.operands[0])))", "B_BATCH_STRIDE": "\(batchStride(type(op.operands[1])))",
            ]) { $1 }
            return try withMath(simple("add_layer_norm.c.tmpl", op.operands, values))
        }

        /// Adds the support functions an instance's C calls (m2_gelu, m2_row_moments), once per file.
        func withMath(_ instance: Instance) throws(CPUEmitError) -> Instance {
            var instance = instance
            for (name, template) in [("gelu", "gelu.c.tmpl"), ("row_moments", "row_moments.c.tmpl")]
            where instance.kernel.contains("m2_\(name)(") {
                instance.support.append((name: name, text: try templates.render(template, [:])))
            }
            return instance
        }

        func elementwise(_ op: Op, _ values: inout [String: String], expr: String) throws(CPUEmitError) -> Instance {
            values["IN_T"] = values["IN_T"] ?? "float"
            values["OUT_T"] = cType(op.type.dtype)
            values["EXPR"] = expr
            values["EXPR_DOC"] = expr
            values["COUNT"] = "\(op.type.elementCount)"
            return try simple("unary.c.tmpl", op.operands, values)
        }

        func stridedCopy(_ op: Op, _ values: inout [String: String], strides: [Int], base: Int) throws(CPUEmitError) -> Instance {
            guard let x else { throw .unsupported(op: describe(op), reason: "missing operand") }
            let (outer, inner) = rows(of: op.type.shape)
            values.merge([
                "T": cType(op.type.dtype), "OUTER_DIMS": list(outer), "OUTER_RANK": "\(outer.count)",
                "ROWS": "\(outer.reduce(1, *))", "INNER": "\(inner)",
                "X_STRIDES": list(op.type.rank > 1 ? Array(strides.dropLast()) : [0]),
                "INNER_STRIDE": "\(strides.last ?? 0)", "X_BATCH_STRIDE": "\(batchStride(x))", "X_BASE": "\(base)",
            ]) { $1 }
            return try simple("strided_copy.c.tmpl", op.operands, values)
        }
    }

    /// A matmul whose weight m2c packed into panels: the per-op work split, plus the micro-kernel (or OpenBLAS)
    /// support code it calls.
    private func packedGemm(_ tiling: GemmTiling, weight w: TensorType, values: [String: String], call: String,
                            kernelTemplate: String = "gemm_packed.c.tmpl") throws(CPUEmitError) -> Instance {
        var values = values
        let strides = WeightPacking.strides(of: w.shape, panelWidth: tiling.nr)
        values.merge([
            "MC": "\(tiling.mc)", "KC": "\(tiling.kc)", "NC": "\(tiling.nc)", "MR": "\(tiling.mr)", "NR": "\(tiling.nr)",
            "NR_MINUS_1": "\(tiling.nr - 1)", "COL_BLOCKS": "\(tiling.columnBlocks)", "ISA": tiling.isa.rawValue,
            "BLOCK_FLOATS": "\(strides.block)", "PANEL_FLOATS": "\(strides.panel)",
            "TILE": tiling.annotation, "TILE_WHY": tiling.reason,
        ]) { $1 }
        var support = [(name: "gemm_common", text: try templates.render("gemm_common.c.tmpl", [:]))]
        if tiling.backend == .openblas {
            support.append((name: "gemm_openblas", text: try templates.render("gemm_openblas_support.c.tmpl", [:])))
            return Instance(kernel: try templates.render("gemm_openblas.c.tmpl", values), call: call, support: support)
        }
        let isa = ["ISA": tiling.isa.rawValue, "MR": "\(tiling.mr)", "NR": "\(tiling.nr)"]
        support.append((name: "gemm_edge", text: try templates.render("gemm_edge.c.tmpl", [:])))
        support.append((name: "gemm_\(tiling.isa.rawValue)",
                        text: try templates.render("gemm_\(tiling.isa.rawValue).c.tmpl", isa) + templates.render("gemm_rect.c.tmpl", isa)))
        return Instance(kernel: try templates.render(kernelTemplate, values), call: call, support: support)
    }

    /// A matmul with a GLU epilogue: only m2c's packed GEMM computes a gate tile and its value tile together
    /// (fusion forms these ops only for a stored weight and, with --gemm openblas, not at all).
    private func packedGLUGemm(_ op: Op, halves: GLUHalves, weight w: TensorType, epilogue: GemmEpilogue,
                               values: [String: String], call: String,
                               support: (name: String, text: String)) throws(CPUEmitError) -> Instance {
        let fn = values["FN"] ?? "", m = halves.width * 2
        guard plan.packedWeight[op.result] != nil, let tiling = tilings[op.result], tiling.backend == .m2c else {
            throw .unsupported(op: describe(op), reason: "a GLU epilogue runs in m2c's packed GEMM only (a stored weight, "
                               + "--gemm m2c); this weight is \(plan.packedWeight[op.result] == nil ? "computed at open" : "for OpenBLAS")")
        }
        if let why = halves.misalignment(panelWidth: tiling.nr) {
            throw .unsupported(op: describe(op), reason: "GLU epilogue: \(why)")
        }
        var values = values
        values.merge(epilogue.gluValues(fn: fn, halves: halves)) { $1 }
        values.merge([
            "I": "\(halves.width)", "GATE_BLOCKS": "\(halves.gateBlocks)", "GATE_Q": "\(halves.gateColumnsPerBlock)",
            "VALUE_BLOCK": "\(halves.valueBlockOffset)", "VALUE_COL": "\(halves.valueColumnOffset)",
        ]) { $1 }
        let apply = try epilogue.gluApplyFunction(fn: fn, comment: values["COMMENT"] ?? fn, halves: halves, outFeatures: m,
                                                  templates: templates)
        var instance = try packedGemm(tiling, weight: w, values: values, call: call, kernelTemplate: "gemm_packed_glu.c.tmpl")
        let isa = ["ISA": tiling.isa.rawValue, "MR": "\(tiling.mr)", "NR": "\(tiling.nr)"]
        instance.support.append((name: "gemm_glu_\(tiling.isa.rawValue)", text: try templates.render("gemm_glu.c.tmpl", isa)))
        instance.kernel = apply + instance.kernel
        instance.support.insert(support, at: 0)
        return instance
    }

    /// The C expression for a value's first element (for batch item 0; kernels add the batch stride).
    func pointer(_ v: ValueID) -> String {
        let t = type(v)
        switch plan.homes[v] {
        case .arena(let offset): return "M2_ARENA(\(cType(t.dtype)), \(offset))"
        case .statics(let offset): return t.dtype == .f32 ? "M2_STATIC(\(offset))" : "((\(cType(t.dtype)) *)M2_STATIC(\(offset)))"
        case .tensor(let index): return "M2_TENSOR(\(cType(t.dtype)), \(index))"
        case nil: return "NULL /* \(v) has no storage */"
        }
    }

    func type(_ v: ValueID) -> TensorType { types[v] ?? .f32([]) }

    private func describe(_ op: Op) -> String { "\(op.result) = \(op.kind.mnemonic)" + (op.name.map { " (\($0))" } ?? "") }

    /// The input an id tensor comes from (through reshapes and casts), for TOKEN_OUT_OF_RANGE messages.
    private func idsName(_ v: ValueID) -> String {
        var current = v
        while true {
            if let name = inputNames[current] { return name }
            guard let op = plan.graph.op(defining: current) else { return current.description }
            switch op.kind {
            case .reshape, .cast: current = op.operands[0]
            default: return op.name ?? current.description
            }
        }
    }

    /// A permutation that swaps the last two axes and keeps the others (x [..., R, C] → [..., C, R]) as a batch
    /// of matrix transposes; nil for any other permutation (or a degenerate one-row/one-column swap, which
    /// the strided copy does contiguously).
    static func lastTwoAxesSwap(_ perm: [Int], shape: [Int]) -> (matrices: Int, rows: Int, columns: Int)? {
        let k = perm.count
        guard k >= 2, shape.count == k, perm[k - 1] == k - 2, perm[k - 2] == k - 1,
              perm[..<(k - 2)].elementsEqual(0..<(k - 2)) else { return nil }
        let (rows, columns) = (shape[k - 2], shape[k - 1])
        guard rows > 1, columns > 1 else { return nil }
        return (shape[..<(k - 2)].reduce(1, *), rows, columns)
    }

    /// Static dims split into row dims (all but the last; [1] for rank ≤ 1) and the row length.
    private func rows(of shape: [Int]) -> ([Int], Int) {
        shape.count <= 1 ? ([1], shape.first ?? 1) : (Array(shape.dropLast()), shape.last ?? 1)
    }

    private func outerPart(_ strides: [Int]) -> [Int] { strides.count <= 1 ? [0] : Array(strides.dropLast()) }

    private func batchStride(_ t: TensorType) -> Int { t.batched ? t.elementCount : 0 }
    private func list(_ xs: [Int]) -> String { xs.map(String.init).joined(separator: ", ") }
}

public func cType(_ d: DType) -> String { d == .f32 ? "float" : "int32_t" }

/// A C float literal for an op constant (parenthesised so it can follow any operator).
public func cFloat(_ v: Double) -> String {
    let f = Float(v)
    if f.isNaN { return "NAN" }
    if f.isInfinite { return f < 0 ? "(-INFINITY)" : "INFINITY" }
    return "(\(f)f)"
}

/// Escapes text for a C string literal.
public func escapeC(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default: out += c.value < 0x20 || c.value > 0x7e ? "?" : String(c)
        }
    }
    return out
}
