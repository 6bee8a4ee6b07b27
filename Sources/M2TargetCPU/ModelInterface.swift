import M2IR

/// The model's run-time interface as the generated C and Swift code name it: inputs (from the graph's input
/// ops, with defaults from their "default" annotation) and outputs (probes excluded), plus shape constants.
public struct ModelInterface {
    public struct Input {
        public var value: ValueID
        public var name: String
        public var cName: String
        public var swiftName: String
        public var dtype: DType
        public var count: Int
        /// The C literal every element takes when the caller passes NULL; nil when the input is required.
        public var defaultLiteral: String?
    }

    public struct Output {
        public var value: ValueID
        public var name: String
        public var cName: String
        public var swiftName: String
        public var macroKey: String
        public var type: TensorType
    }

    public var inputs: [Input] = []
    public var outputs: [Output] = []
    /// `(KEY, value)` pairs for `#define PREFIX_KEY value`.
    public var shapeConstants: [(String, Int)] = []
    /// For the values only some outputs are computed from: those outputs' indices into `outputs`, ascending.
    private var partialReadersByValue: [ValueID: [Int]] = [:]

    public init(graph: Graph, plan: ExecutionPlan) throws(CPUEmitError) {
        var usedC: Set<String> = Self.reservedC
        for op in graph.inputs {
            guard case .input(let name) = op.kind else { continue }
            let c = Self.unique(Self.cIdentifier(name), &usedC)
            var literal: String?
            switch op.annotations["default"] {
            case .int(let v): literal = op.type.dtype == .f32 ? cFloat(Double(v)) : "\(v)"
            case .double(let v): literal = op.type.dtype == .f32 ? cFloat(v) : "\(Int(v))"
            default: literal = nil
            }
            inputs.append(Input(value: op.result, name: name, cName: c, swiftName: Self.camelCase(c), dtype: op.type.dtype,
                                count: op.type.elementCount, defaultLiteral: literal))
        }
        var usedFields: Set<String> = Self.reservedC
        for out in graph.outputs where !out.isProbe {
            guard let t = graph.type(of: out.value) else { throw .unsupported(op: "output '\(out.name)'", reason: "undefined value \(out.value)") }
            let c = Self.unique(Self.cIdentifier(out.name), &usedFields)
            outputs.append(Output(value: out.value, name: out.name, cName: c, swiftName: Self.camelCase(c),
                                  macroKey: c.uppercased(), type: t))
        }
        var interfaceIndex: [Int: Int] = [:]
        for (i, out) in graph.outputs.enumerated() where !out.isProbe { interfaceIndex[i] = interfaceIndex.count }
        for (value, readers) in graph.outputDependence(where: { !$0.isProbe }) where readers.count < outputs.count {
            partialReadersByValue[value] = readers.compactMap { interfaceIndex[$0] }.sorted()
        }
        if case .int(let l) = graph.attributes["seq_len"] { shapeConstants.append(("SEQ_LEN", l)) }
        if case .int(let h) = graph.attributes["param.hidden"] { shapeConstants.append(("HIDDEN", h)) }
        if let vocab = Self.vocabulary(graph) { shapeConstants.append(("VOCAB", vocab)) }
    }

    /// The outputs (indices into `outputs`, ascending) computed from `value` when they are not all of them:
    /// forward runs the op defining `value` only when one of these is wanted. nil when every output needs the op,
    /// and when none does (an op only probes read keeps running).
    public func partialReaders(of value: ValueID) -> [Int]? { partialReadersByValue[value] }

    /// Rows of the table gathered with the first input's ids (through reshapes and casts).
    private static func vocabulary(_ graph: Graph) -> Int? {
        guard let first = graph.inputs.first else { return nil }
        var derived: Set<ValueID> = [first.result]
        for op in graph.ops {
            switch op.kind {
            case .reshape, .cast:
                if derived.contains(op.operands[0]) { derived.insert(op.result) }
            case .gather where derived.contains(op.operands[1]):
                return graph.type(of: op.operands[0])?.shape.first
            default: break
            }
        }
        return nil
    }

    /// Names the generated forward already uses, and C keywords.
    private static let reservedC: Set<String> = [
        "m", "batch", "out", "rc", "arena", "nt", "auto", "break", "case", "char", "const", "continue", "default", "do",
        "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
        "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
        "volatile", "while",
    ]

    static func cIdentifier(_ s: String) -> String {
        var out = String(s.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? Character($0) : "_" })
        if out.first?.isNumber ?? true { out = "_" + out }
        return out
    }

    private static func unique(_ base: String, _ used: inout Set<String>) -> String {
        var name = base
        while used.contains(name) { name += "_" }
        used.insert(name)
        return name
    }

    /// `input_ids` → `inputIds`.
    static func camelCase(_ s: String) -> String {
        let parts = s.split(separator: "_")
        guard let first = parts.first else { return "value" }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

