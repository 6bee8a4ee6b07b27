import M2IR
import M2TargetCPU

/// Turns each op into the host statement that launches its kernel (a fragment of fragments.cu.tmpl with
/// numbers and pointers filled in). The kernels themselves are generic templates over the storage type with
/// run-time shapes (Templates/cuda/*.cuh.tmpl), so the device code does not grow with the model.
struct CUDAKernelInstantiator {
    let templates: CUDATemplateSet
    let plan: ExecutionPlan
    let types: [ValueID: TensorType]
    /// Input names by input value, for TOKEN_OUT_OF_RANGE messages.
    let inputNames: [ValueID: String]
    let precision: CUDAPrecision

    /// The gathers' id inputs and table rows, in site order (the generated `m2_gather_sites`).
    private(set) var gatherSites: [(input: String, rows: Int)] = []
    /// Constant tables of Monarch-FFT kernels, concatenated (uploaded at open).
    private(set) var tables: [Float] = []
    /// Device code of Monarch-FFT kernels, one entry per op.
    private(set) var deviceCode: [String] = []
    private(set) var scratchBytesPerItem = 0
    /// Whether a kernel reads a stored tensor in float (the Monarch spectrum) although storage is 16-bit.
    private(set) var readsF32Tensors = false

    init(templates: CUDATemplateSet, plan: ExecutionPlan, inputNames: [ValueID: String], precision: CUDAPrecision) {
        self.templates = templates
        self.plan = plan
        var types: [ValueID: TensorType] = [:]
        for op in plan.graph.ops { types[op.result] = op.type }
        self.types = types
        self.inputNames = inputNames
        self.precision = precision
    }

    /// The launch statement(s) of one op.
    mutating func launch(_ op: Op) throws(CUDAEmitError) -> String {
        var values = ["COMMENT": comment(op), "Y": try pointer(op.result), "N": count(op.type)]
        switch op.kind {
        case .input, .weight, .constant, .reshape:
            throw .unsupported(op: describe(op), reason: "leaves and reshapes have no kernel")

        case .unary(let f):
            return try unary(op, &values, fn: unaryCode(f), constant: 0)
        case .scale(let c):
            return try unary(op, &values, fn: "M2_U_SCALE", constant: c)
        case .shift(let c):
            return try unary(op, &values, fn: "M2_U_SHIFT", constant: c)
        case .cast:
            return try unary(op, &values, fn: "M2_U_IDENTITY", constant: 0)

        case .binary(let f):
            if op.type.dtype == .i32 && f == .div { throw .unsupported(op: describe(op), reason: "integer division") }
            let (a, b) = (type(op.operands[0]), type(op.operands[1]))
            let shape = op.type.shape
            guard shape.count <= Self.maxRank else { throw .unsupported(op: describe(op), reason: "rank \(shape.count) > \(Self.maxRank)") }
            values.merge([
                "T": storage(op.type.dtype), "FN": "M2_B_" + f.rawValue.uppercased(), "RANK": "\(shape.count)",
                "DIMS": list(shape), "A_STRIDES": list(Strides.broadcast(a.shape, into: shape)),
                "B_STRIDES": list(Strides.broadcast(b.shape, into: shape)), "PER_ITEM": "\(max(1, op.type.elementCount))LL",
                "A_ITEM": "\(a.batched ? a.elementCount : 0)LL", "B_ITEM": "\(b.batched ? b.elementCount : 0)LL",
                "A": try pointer(op.operands[0]), "B": try pointer(op.operands[1]),
            ]) { $1 }
            return try templates.fragment("binary", values)

        case .blockDiagMatmul(let m):
            return try gemm(op, outFeatures: m, epilogue: [])
        case .fusedMatmul(let m, let epilogue):
            let steps = epilogue.compactMap(CUDAEpilogueStep.init)
            guard steps.count == epilogue.count else {
                // cudaPipeline leaves `matmul-glu` off: each CUDA GEMM thread finishes its own columns.
                throw .unsupported(op: describe(op), reason: "a GLU epilogue (\(epilogue.map(\.spelling))) needs both halves' "
                                   + "columns in one thread; the CUDA target runs glu as its own kernel")
            }
            return try gemm(op, outFeatures: m, epilogue: steps)
        case .glu(let f):
            return try glu(op, fn: f)
        case .addLayerNorm(let eps):
            return try layerNorm(op, a: op.operands[0], b: op.operands[1], gamma: op.operands[2], beta: op.operands[3], eps: eps)
        case .monarchConv(_, _, _, _, .channelsLast, _), .shortConv(_, .channelsLast):
            // The CUDA pipeline leaves the layout rules off (cudaPipeline): its kernels read channels-first rows.
            throw .unsupported(op: describe(op), reason: "the CUDA kernels of \(op.kind.mnemonic) are channels-first only "
                + "(compile this IR for --target cpu, or without the fuse pass's layout rules)")
        case .monarchConv(let factors, let preGate, let postGate, let residual, .channelsFirst, _):
            return try monarchConv(op, factors: factors, preGate: preGate, postGate: postGate, residual: residual)

        case .layerNorm(let eps):
            return try layerNorm(op, a: op.operands[0], b: nil, gamma: op.operands[1], beta: op.operands[2], eps: eps)

        case .reduce(let f, let axis):
            let x = type(op.operands[0])
            values.merge([
                "FN": "M2_R_" + f.rawValue.uppercased(), "X": try pointer(op.operands[0]),
                "AXIS": "\(x.shape[axis])", "INNER": "\(x.shape[(axis + 1)...].reduce(1, *))",
            ]) { $1 }
            return try templates.fragment("reduce", values)

        case .gather:
            let (table, ids) = (type(op.operands[0]), type(op.operands[1]))
            guard table.rank == 2, !table.batched else { throw .unsupported(op: describe(op), reason: "the table must be an unbatched [rows, dim] tensor") }
            gatherSites.append((idsName(op.operands[1]), table.shape[0]))
            values.merge([
                "TABLE": try pointer(op.operands[0]), "X": try pointer(op.operands[1]),
                "IDS": "(long long)batch * \(ids.elementCount)", "PER_ITEM": "\(ids.elementCount)",
                "ROWS": "\(table.shape[0])", "DIM": "\(table.shape[1])", "SITE": "\(gatherSites.count - 1)",
            ]) { $1 }
            return try templates.fragment("gather", values)

        case .shortConv(let taps, .channelsFirst):
            values.merge([
                "X": try pointer(op.operands[0]), "W": try pointer(op.operands[1]),
                "BIAS": op.operands.count == 3 ? try pointer(op.operands[2]) : "nullptr",
                "C": "\(op.type.shape[op.type.rank - 2])", "L": "\(op.type.shape[op.type.rank - 1])", "TAPS": "\(taps)",
            ]) { $1 }
            return try templates.fragment("short_conv", values)

        case .longConv(let bidirectional, let hasSkip):
            values.merge([
                "X": try pointer(op.operands[0]), "KF": try pointer(op.operands[1]),
                "KR": bidirectional ? try pointer(op.operands[2]) : "nullptr",
                "D": hasSkip ? try pointer(op.operands[op.operands.count - 1]) : "nullptr",
                "H": "\(op.type.shape[op.type.rank - 2])", "L": "\(op.type.shape[op.type.rank - 1])",
            ]) { $1 }
            return try templates.fragment("long_conv", values)

        case .transpose(let perm):
            let x = type(op.operands[0])
            let source = Strides.rowMajor(x.shape)
            return try copy(op, dims: op.type.shape, xStrides: perm.map { source[$0] }, xBase: 0, yBase: 0, part: op.operands[0])
        case .slice(let axis, let start, _):
            let source = Strides.rowMajor(type(op.operands[0]).shape)
            return try copy(op, dims: op.type.shape, xStrides: source, xBase: start * source[axis], yBase: 0, part: op.operands[0])
        case .concat(let axis):
            let inner = op.type.shape[(axis + 1)...].reduce(1, *)
            var offset = 0, text = ""
            for part in op.operands {
                let shape = type(part).shape
                text += try copy(op, dims: shape, xStrides: Strides.rowMajor(shape), xBase: 0, yBase: offset * inner, part: part)
                offset += shape[axis]
            }
            return text
        }
    }

    /// A block-diagonal (or dense) product with `epilogue` applied to each result, the form of `blockdiag_matmul`
    /// (no steps) and of the fusion contract's `fused_matmul` (operands x, W, then one per bias/residual step).
    mutating func gemm(_ op: Op, outFeatures m: Int, epilogue: [CUDAEpilogueStep]) throws(CUDAEmitError) -> String {
        let (x, w) = (type(op.operands[0]), type(op.operands[1]))
        guard !w.batched else { throw .unsupported(op: describe(op), reason: "a weight that depends on the batch") }
        guard w.rank == 2 || w.rank == 3 else { throw .unsupported(op: describe(op), reason: "weight of rank \(w.rank)") }
        guard epilogue.count <= CUDAEpilogueStep.maxSteps else {
            throw .unsupported(op: describe(op), reason: "\(epilogue.count) epilogue steps (at most \(CUDAEpilogueStep.maxSteps))")
        }
        let (nb, q, p) = w.rank == 2 ? (1, w.shape[0], w.shape[1]) : (w.shape[0], w.shape[1], w.shape[2])
        let n = x.shape.last ?? 1
        let rowsPerItem = x.elementCount / max(1, n)
        var operands = "", residualItem = 0, next = 2
        for (step, e) in epilogue.enumerated() where e.takesOperand {
            guard next < op.operands.count else { throw .unsupported(op: describe(op), reason: "epilogue step \(step) has no operand") }
            let operand = op.operands[next]
            next += 1
            if e == .residual {
                let r = type(operand)
                guard r.shape == op.type.shape else { throw .unsupported(op: describe(op), reason: "residual of type \(r), result \(op.type)") }
                residualItem = r.batched ? r.elementCount : 0
            }
            operands += try templates.fragment("gemm_operand", ["STEP": "\(step)", "OPERAND": try pointer(operand)])
        }
        let codes = epilogue.map(\.code) + Array(repeating: "M2_E_NONE", count: CUDAEpilogueStep.maxSteps - epilogue.count)
        return try templates.fragment("gemm", [
            "COMMENT": comment(op) + (epilogue.isEmpty ? "" : " [epilogue \(epilogue.map(\.code).joined(separator: ", "))]"),
            "X": try pointer(op.operands[0]), "W": try pointer(op.operands[1]), "Y": try pointer(op.result),
            "OPERANDS": operands, "ROWS": "(long long)batch * \(rowsPerItem)", "ROWS_PER_ITEM": "\(max(1, rowsPerItem))",
            "RESIDUAL_ITEM": "\(residualItem)", "N": "\(n)", "NB": "\(nb)", "Q": "\(q)", "P": "\(p)", "M": "\(m)",
            "E0": codes[0], "E1": codes[1], "E2": codes[2], "E3": codes[3],
        ])
    }

    /// LayerNorm of `a` (+ `b`, the fusion contract's `add_layer_norm`) over the last axis.
    func layerNorm(_ op: Op, a: ValueID, b: ValueID?, gamma: ValueID, beta: ValueID, eps: Double) throws(CUDAEmitError) -> String {
        // A summand without the batch (position embeddings) is shared by every item: its rows repeat.
        if let b, type(b).shape != type(a).shape || (!type(a).batched && type(b).batched) {
            throw .unsupported(op: describe(op), reason: "summands of types \(type(a)) and \(type(b))")
        }
        let d = op.type.shape.last ?? 1
        let sharedRows = b.map { type($0).batched ? 0 : type($0).elementCount / max(1, d) } ?? 0
        return try templates.fragment("layer_norm", [
            "COMMENT": comment(op), "A": try pointer(a), "B": try b.map { (v) throws(CUDAEmitError) in try pointer(v) } ?? "nullptr",
            "GAMMA": try pointer(gamma), "BETA": try pointer(beta), "Y": try pointer(op.result),
            "ROWS": "(long long)batch * \(op.type.elementCount / max(1, d))", "B_ROWS": "\(sharedRows)LL", "D": "\(d)", "EPS": cFloat(eps),
        ])
    }

    /// The fusion contract's `glu(f)`: x [..., 2I] → f(x[..., :I]) ⊙ x[..., I:].
    func glu(_ op: Op, fn: UnaryFn) throws(CUDAEmitError) -> String {
        let inner = op.type.shape.last ?? 1
        return try templates.fragment("glu", [
            "COMMENT": comment(op), "FN": unaryCode(fn), "X": try pointer(op.operands[0]), "Y": try pointer(op.result),
            "N": count(op.type), "ROWS": "(long long)batch * \(op.type.elementCount / max(1, inner))", "INNER": "\(inner)",
        ])
    }

    /// The fusion contract's `monarch_conv`: operands x, then g1 / g2 / r as flagged, last the f32 spectrum.
    /// Its kernel comes from `CUDAMonarchConvKernel`; tables go into the library's table buffer, scratch is shared.
    mutating func monarchConv(_ op: Op, factors: [Int], preGate: Bool, postGate: Bool, residual: Bool) throws(CUDAEmitError) -> String {
        let (h, l) = (op.type.shape[op.type.rank - 2], op.type.shape[op.type.rank - 1])
        let kernel = try CUDAMonarchConvKernel(channels: h, length: l, factors: factors, preGate: preGate, postGate: postGate,
                                               residual: residual, precision: precision, templates: templates)
        let prefix = "m2_monarch\(op.result.raw)"
        deviceCode.append(try kernel.deviceCode(prefix: prefix))
        var next = 1
        func operand(_ present: Bool) throws(CUDAEmitError) -> String? {
            guard present else { return nil }
            defer { next += 1 }
            return try pointer(op.operands[next])
        }
        let g1 = try operand(preGate), g2 = try operand(postGate), r = try operand(residual)
        guard let spectrum = op.operands.last, case .tensor(let index) = plan.homes[spectrum] else {
            throw .unsupported(op: describe(op), reason: "the spectrum must be a compile-time constant")
        }
        readsF32Tensors = readsF32Tensors || precision != .fp32
        let tableOffset = tables.count
        tables += kernel.tables
        scratchBytesPerItem = max(scratchBytesPerItem, kernel.scratchBytesPerItem)
        return kernel.launch(prefix: prefix, x: try pointer(op.operands[0]), g1: g1, g2: g2, residual: r,
                             spectrum: "M2_TENSOR_F32(\(index))", tables: "M2_TABLES(\(tableOffset))", output: try pointer(op.result),
                             scratch: kernel.scratchBytesPerItem > 0 ? "m->scratch" : nil, batch: "batch", stream: "s")
    }

    private func unary(_ op: Op, _ values: inout [String: String], fn: String, constant: Double) throws(CUDAEmitError) -> String {
        values.merge([
            "TX": storage(type(op.operands[0]).dtype), "TY": storage(op.type.dtype), "FN": fn,
            "X": try pointer(op.operands[0]), "C": cFloat(constant),
        ]) { $1 }
        return try templates.fragment("unary", values)
    }

    /// One strided copy: `part`'s [dims] box into the result at yBase (a transpose, slice or concat part).
    private func copy(_ op: Op, dims: [Int], xStrides: [Int], xBase: Int, yBase: Int, part: ValueID) throws(CUDAEmitError) -> String {
        guard dims.count <= Self.maxRank else { throw .unsupported(op: describe(op), reason: "rank \(dims.count) > \(Self.maxRank)") }
        let x = type(part)
        let elements = dims.reduce(1, *)
        return try templates.fragment("copy", [
            "COMMENT": comment(op), "T": storage(op.type.dtype), "RANK": "\(dims.count)", "DIMS": list(dims),
            "X_STRIDES": list(xStrides), "Y_STRIDES": list(Array(Strides.rowMajor(op.type.shape).suffix(dims.count))),
            "X_BASE": "\(xBase)", "Y_BASE": "\(yBase)", "X_ITEM": "\(x.batched ? x.elementCount : 0)",
            "Y_ITEM": "\(op.type.elementCount)", "PER_ITEM": "\(max(1, elements))",
            "X": try pointer(part), "Y": try pointer(op.result), "N": "(long long)batch * \(elements)",
        ])
    }

    /// The input an id tensor comes from (through reshapes and casts), else the producer's IR name.
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

    /// The C++ expression of a value's first element (batch item 0).
    func pointer(_ v: ValueID) throws(CUDAEmitError) -> String {
        let t = type(v)
        switch plan.homes[v] {
        case .arena(let offset): return "M2_ARENA(\(storage(t.dtype)), \(offset))"
        case .statics(let offset): return "M2_STATIC(\(storage(t.dtype)), \(offset))"
        case .tensor(let index):
            guard t.dtype == .f32 else { throw .unsupported(op: "\(v)", reason: "stored \(t.dtype.rawValue) tensors (the .m2w holds float)") }
            return "M2_TENSOR(\(index))"
        case nil: throw .unsupported(op: "\(v)", reason: "the value has no storage in the execution plan")
        }
    }

    /// The device storage type of a dtype: the precision's for floats, int32_t for ids.
    func storage(_ d: DType) -> String { d == .f32 ? "m2_t" : "int32_t" }

    func type(_ v: ValueID) -> TensorType { types[v] ?? .f32([]) }

    static let maxRank = 8

    private func count(_ t: TensorType) -> String { "(long long)batch * \(t.elementCount)" }

    private func comment(_ op: Op) -> String {
        let text = (op.name.map { "\($0): " } ?? "") + "\(op.result) = \(op.kind.mnemonic) : \(op.type)"
        return text.replacingOccurrences(of: "*/", with: "* /")
    }

    private func describe(_ op: Op) -> String { "\(op.result) = \(op.kind.mnemonic)" + (op.name.map { " (\($0))" } ?? "") }

    private func list(_ xs: [Int]) -> String { xs.map(String.init).joined(separator: ", ") }
}
