import M2IR

/// The C a matmul kernel needs to apply a `fused_matmul` epilogue: extra parameters (the bias/residual operands,
/// in step order), the `epilogue` local every matmul template reads (NULL for a plain matmul), and the per-op
/// function that finishes one tile (epilogue_apply.c.tmpl).
struct GemmEpilogue {
    let steps: [EpilogueStep]

    init(_ kind: OpKind) {
        if case .fusedMatmul(_, let steps) = kind { self.steps = steps } else { steps = [] }
    }

    /// `, const float *restrict e0, …` after the weight parameter.
    var parameters: String {
        operandSteps.indices.map { ", const float *restrict e\($0)" }.joined()
    }

    /// The values a template fills in: EPILOGUE_PARAMS, EPILOGUE_SETUP, EPILOGUE_DOC.
    func values(fn: String, outFeatures m: Int) -> [String: String] {
        guard !steps.isEmpty else {
            return ["EPILOGUE_PARAMS": "", "EPILOGUE_DOC": "",
                    "EPILOGUE_SETUP": "    const m2_epilogue *const epilogue = NULL;\n"]
        }
        return setupValues(state: "m2_epilogue", apply: "\(fn)_epilogue", ldy: m,
                           doc: "applied by \(fn)_epilogue to each finished tile")
    }

    /// EPILOGUE_PARAMS, EPILOGUE_DOC and an EPILOGUE_SETUP declaring `epilogue`, a `state` (m2_epilogue or
    /// m2_glu_epilogue) over y, `ldy` floats per row, finished by `apply`.
    private func setupValues(state: String, apply: String, ldy: Int, doc: String) -> [String: String] {
        let operands = operandSteps.isEmpty ? "NULL" : operandSteps.indices.map { "e\($0)" }.joined(separator: ", ")
        return [
            "EPILOGUE_PARAMS": parameters,
            "EPILOGUE_DOC": "\n * Epilogue (\(stepsDoc)) \(doc).",
            "EPILOGUE_SETUP": """
                    const float *const epilogue_operands[] = { \(operands) };
                    const \(state) epilogue_state = { \(apply), y, \(ldy)L, epilogue_operands };
                    const \(state) *const epilogue = &epilogue_state;

                """,
        ]
    }

    /// The `FN_epilogue` definition (empty for a plain matmul).
    func applyFunction(fn: String, comment: String, templates: TemplateSet) throws(CPUEmitError) -> String {
        guard !steps.isEmpty else { return "" }
        let code = try stepCode(steps[...], values: [("v", 0)], operandRowStride: "ldy", fn: fn, templates: templates)
        return try templates.render("epilogue_apply.c.tmpl", [
            "FN": fn, "COMMENT": comment, "STEPS_DOC": stepsDoc, "POINTERS": code.pointers, "STEPS": code.body,
        ])
    }

    /// C for `steps` applied to each of `values` (a variable and its column's offset from the tile's column c0 in
    /// the product): the operand pointers, set up once per tile, and the lines run per element. Operand rows
    /// (residuals) are `operandRowStride` floats apart.
    private func stepCode(_ steps: ArraySlice<EpilogueStep>, values: [(name: String, column: Int)], operandRowStride stride: String,
                          fn: String, templates: TemplateSet) throws(CPUEmitError) -> (pointers: String, body: String) {
        let line = "            "
        func offset(_ column: Int) -> String { column == 0 ? "" : "\(column)L + " }
        var pointers = "", body = "", next = 0
        for step in steps {
            switch step {
            case .bias:
                pointers += "    const float *restrict bias\(next) = e->operand[\(next)] + c0;\n"
                for v in values { body += "\(line)\(v.name) += bias\(next)[\(offset(v.column))j];\n" }
                next += 1
            case .residual:
                pointers += "    const float *restrict residual\(next) = e->operand[\(next)] + r0 * \(stride) + c0;\n"
                for v in values { body += "\(line)\(v.name) += residual\(next)[i * \(stride) + \(offset(v.column))j];\n" }
                next += 1
            case .unary(let f):
                // The expression reads v: the other values borrow it.
                let expr = try templates.expression(f.rawValue)
                for v in values.dropFirst() {
                    body += "\(line){\n\(line)    const float gate = v;\n\(line)    v = \(v.name);\n"
                        + "\(line)    \(v.name) = \(expr);\n\(line)    v = gate;\n\(line)}\n"
                }
                body += "\(line)v = \(expr);\n"
            case .glu:
                // KernelInstantiator routes GLU GEMMs to gluApplyFunction, which hands over the steps before it.
                throw .unsupported(op: fn, reason: "a GLU epilogue step that is not the last (\(stepsDoc))")
            }
        }
        return (pointers, body)
    }

    /// The values of a GLU GEMM (gemm_packed_glu.c.tmpl): EPILOGUE_PARAMS, EPILOGUE_SETUP (an m2_glu_epilogue over
    /// y, `halves.width` columns wide), EPILOGUE_DOC.
    func gluValues(fn: String, halves: GLUHalves) -> [String: String] {
        setupValues(state: "m2_glu_epilogue", apply: "\(fn)_glu_epilogue", ldy: halves.width,
                    doc: "applied by \(fn)_glu_epilogue to each gate tile and its value tile")
    }

    /// The `FN_glu_epilogue` definition: the steps before the GLU on the gate value v (column c of the product)
    /// and on the value u (column c + I), then f(v) · u into y.
    func gluApplyFunction(fn: String, comment: String, halves: GLUHalves, outFeatures m: Int,
                          templates: TemplateSet) throws(CPUEmitError) -> String {
        guard case .glu(let gate) = steps.last else { return "" }
        // The residual has the product's shape: m columns per row.
        let code = try stepCode(steps.dropLast(), values: [("v", 0), ("u", halves.width)], operandRowStride: "\(m)L",
                                fn: fn, templates: templates)
        return try templates.render("epilogue_glu.c.tmpl", [
            "FN": fn, "COMMENT": comment, "STEPS_DOC": stepsDoc, "POINTERS": code.pointers, "STEPS": code.body,
            "GATE_EXPR": try templates.expression(gate.rawValue),
        ])
    }

    private var operandSteps: [EpilogueStep] { steps.filter(\.takesOperand) }
    private var stepsDoc: String { steps.map(\.spelling).joined(separator: ", then ") }
}

extension OpKind {
    /// A block-diagonal product, plain or with an epilogue: the ops whose weight (operand 1) m2c packs.
    var isBlockDiagProduct: Bool {
        switch self {
        case .blockDiagMatmul, .fusedMatmul: return true
        default: return false
        }
    }
}
