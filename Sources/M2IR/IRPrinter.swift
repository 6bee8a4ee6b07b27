/// Prints a graph in the textual IR, one op per line, like an MLIR dump:
///
///     graph @tiny {seq_len = 64} {
///       %0 = input "input_ids" : i32[B,64]
///       %1 = weight "bert.embeddings.word_embeddings.weight" : f32[1000,64]
///       %2 = gather %1, %0 : f32[B,64,64]
///       %3 = const dense<[1.0, 2.0]> : f32[2]
///       %4 = long_conv %2, %5, %6 {bidirectional = false, skip = true} : f32[B,64,64] #{fusion.group = 3}
///       output "last_hidden_state" = %4
///       probe "bert.encoder.layer.0:out" = %2
///     }
///
/// Values are renumbered densely in print order, so a dump does not change when a pass deletes or
/// adds ops elsewhere. Kind attributes go in the `{…}` after the operands (in a fixed order per
/// kind); pass annotations go in a trailing `#{…}`, sorted by key. `IRParser` reads this form back;
/// docs/IR.md has the grammar.
public enum IRPrinter {
    public struct Options: Sendable {
        /// Append `loc("file":line:col)` to ops that have a source location.
        public var locations: Bool
        /// Append the op's scope name as a `# name` comment (comments are not read back).
        public var names: Bool
        /// Constants with more values than this print as `#digest` only.
        public var inlineConstantLimit: Int

        public init(locations: Bool = false, names: Bool = false, inlineConstantLimit: Int = 16) {
            self.locations = locations
            self.names = names
            self.inlineConstantLimit = inlineConstantLimit
        }
    }

    public static func print(_ graph: Graph, options: Options = .init()) -> String {
        let numbering = Numbering(graph)
        var out = "graph @\(quotedIfNeeded(graph.name))"
        if !graph.attributes.isEmpty { out += " " + attributeDictionary(graph.attributes) }
        out += " {\n"
        for op in graph.ops {
            out += "  " + line(for: op, numbering: numbering, options: options) + "\n"
        }
        for output in graph.outputs {
            out += "  " + line(for: output, numbering: numbering) + "\n"
        }
        out += "}\n"
        return out
    }

    /// One op as it appears in a dump of `graph` (used by the verifier's messages).
    public static func print(op: Op, in graph: Graph, options: Options = .init()) -> String {
        line(for: op, numbering: Numbering(graph), options: options)
    }

    /// Maps each value to its dense print number: the index of its (first) defining op.
    /// Values no op defines print as `%?raw` so that broken graphs can still be shown.
    struct Numbering {
        private var numbers: [ValueID: Int] = [:]

        init(_ graph: Graph) {
            for (i, op) in graph.ops.enumerated() where numbers[op.result] == nil { numbers[op.result] = i }
        }

        func name(_ v: ValueID) -> String {
            numbers[v].map { "%\($0)" } ?? "%?\(v.raw)"
        }
    }

    static func line(for op: Op, numbering: Numbering, options: Options) -> String {
        var s = "\(numbering.name(op.result)) = \(op.kind.mnemonic)"
        switch op.kind {
        case .input(let name): s += " \"\(escapeString(name))\""
        case .weight(let key): s += " \"\(escapeString(key))\""
        case .constant(let data):
            if data.values.count <= options.inlineConstantLimit {
                s += " dense<[\(data.values.map(formatDouble).joined(separator: ", "))]>"
            } else {
                s += " #\(data.digestString)"
            }
        default: break
        }
        if !op.operands.isEmpty {
            s += " " + op.operands.map(numbering.name).joined(separator: ", ")
        }
        let attributes = kindAttributes(op.kind)
        if !attributes.isEmpty {
            s += " {" + attributes.map { "\($0.key) = \($0.value)" }.joined(separator: ", ") + "}"
        }
        s += " : \(op.type)"
        if !op.annotations.isEmpty { s += " #" + attributeDictionary(op.annotations) }
        if options.locations, let loc = op.location {
            s += " loc(\"\(escapeString(loc.file))\":\(loc.line):\(loc.column))"
        }
        if options.names, let name = op.name { s += "  # \(name)" }
        return s
    }

    static func line(for output: GraphOutput, numbering: Numbering) -> String {
        "\(output.isProbe ? "probe" : "output") \"\(escapeString(output.name))\" = \(numbering.name(output.value))"
    }

    /// The attributes that are part of an op's kind, in their fixed print order.
    static func kindAttributes(_ kind: OpKind) -> [(key: String, value: String)] {
        switch kind {
        case .input, .weight, .constant, .unary, .binary, .gather, .reshape:
            return []
        case .blockDiagMatmul(let out): return [("out", String(out))]
        case .scale(let factor): return [("factor", formatDouble(factor))]
        case .shift(let offset): return [("offset", formatDouble(offset))]
        case .layerNorm(let eps): return [("eps", formatDouble(eps))]
        case .reduce(_, let axis): return [("axis", String(axis))]
        case .shortConv(let taps, let layout): return [("taps", String(taps))] + layout.attributes
        case .longConv(let bidirectional, let hasSkip):
            return [("bidirectional", String(bidirectional)), ("skip", String(hasSkip))]
        case .monarchConv(let factors, let preGate, let postGate, let residual, let layout, let inputConv):
            return [("factors", AttrValue.ints(factors).description), ("pre_gate", String(preGate)),
                    ("post_gate", String(postGate)), ("residual", String(residual))] + layout.attributes
                + (inputConv?.attributes ?? [])
        case .transpose(let perm): return [("perm", AttrValue.ints(perm).description)]
        case .slice(let axis, let start, let end):
            return [("axis", String(axis)), ("start", String(start)), ("end", String(end))]
        case .concat(let axis): return [("axis", String(axis))]
        case .cast(let to): return [("to", to.rawValue)]
        case .glu(let f): return [("fn", f.rawValue)]
        case .addLayerNorm(let eps): return [("eps", formatDouble(eps))]
        case .fusedMatmul(let out, let epilogue):
            return [("out", String(out)), ("epilogue", "[" + epilogue.map { "\"\($0.spelling)\"" }.joined(separator: ", ") + "]")]
        }
    }

    /// `{a = 1, b = "x"}` with keys sorted, so dumps are byte-stable.
    static func attributeDictionary(_ attributes: [String: AttrValue]) -> String {
        let entries = attributes.sorted { $0.key < $1.key }.map { "\(quotedIfNeeded($0.key)) = \($0.value)" }
        return "{" + entries.joined(separator: ", ") + "}"
    }

    /// Bare identifiers (`seq_len`, `fusion.group`, `tiny-2`) print as they are; anything else is quoted.
    static func quotedIfNeeded(_ name: String) -> String {
        isBareIdentifier(name) ? name : "\"\(escapeString(name))\""
    }

    static func isBareIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isIdentifierStart else { return false }
        return s.unicodeScalars.allSatisfy(\.isIdentifierContinue)
    }
}

extension Unicode.Scalar {
    var isIdentifierStart: Bool { isASCIILetter || self == "_" }
    var isIdentifierContinue: Bool { isIdentifierStart || ("0"..."9").contains(self) || self == "." || self == "-" }
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
