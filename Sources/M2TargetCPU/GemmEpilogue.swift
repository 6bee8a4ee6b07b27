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
        let operands = operandSteps.isEmpty ? "NULL" : operandSteps.indices.map { "e\($0)" }.joined(separator: ", ")
        return [
            "EPILOGUE_PARAMS": parameters,
            "EPILOGUE_DOC": "\n * Epilogue (\(stepsDoc)) applied by \(fn)_epilogue to each finished tile.",
            "EPILOGUE_SETUP": """
                    const float *const epilogue_operands[] = { \(operands) };
                    const m2_epilogue epilogue_state = { \(fn)_epilogue, y, \(m)L, epilogue_operands };
                    const m2_epilogue *const epilogue = &epilogue_state;

                """,
        ]
    }

    /// The `FN_epilogue` definition (empty for a plain matmul).
    func applyFunction(fn: String, comment: String, templates: TemplateSet) throws(CPUEmitError) -> String {
        guard !steps.isEmpty else { return "" }
        var pointers = "", body = "", next = 0
        for step in steps {
            switch step {
            case .bias:
                pointers += "    const float *restrict bias\(next) = e->operand[\(next)] + c0;\n"
                body += "            v += bias\(next)[j];\n"
                next += 1
            case .residual:
                pointers += "    const float *restrict residual\(next) = e->operand[\(next)] + r0 * ldy + c0;\n"
                body += "            v += residual\(next)[i * ldy + j];\n"
                next += 1
            case .unary(let f):
                body += "            v = \(try templates.expression(f.rawValue));\n"
            }
        }
        return try templates.render("epilogue_apply.c.tmpl", [
            "FN": fn, "COMMENT": comment, "STEPS_DOC": stepsDoc, "POINTERS": pointers, "STEPS": body,
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
