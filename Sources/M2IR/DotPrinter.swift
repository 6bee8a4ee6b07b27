import M2Support

/// Renders a graph as a Graphviz digraph (`m2c ir --emit dot | dot -Tsvg`): one node per op labelled
/// with its print number, mnemonic, kind attributes, type and (shortened) weight key or scope name;
/// edges run from each operand to its user; outputs and probes are separate nodes. The text depends
/// only on the graph, so it can be diffed and golden-tested.
public enum DotPrinter {
    /// Longer weight keys and scope names keep only their tail, after an ellipsis.
    public static let maxLabelLength = 32

    public static func render(_ graph: Graph) -> String {
        let numbering = IRPrinter.Numbering(graph)
        var out = "digraph \(quoted(graph.name)) {\n"
        out += "  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
        for (index, op) in graph.ops.enumerated() {
            out += "  n\(index) [label=\(quoted(label(op, numbering: numbering)))\(shape(op.kind))];\n"
        }
        let index = graph.producerIndex()
        for (userIndex, op) in graph.ops.enumerated() {
            for operand in op.operands {
                if let producer = index[operand] { out += "  n\(producer) -> n\(userIndex);\n" }
            }
        }
        for (i, output) in graph.outputs.enumerated() {
            let style = output.isProbe ? "shape=note, style=dashed" : "shape=doubleoctagon"
            out += "  out\(i) [label=\(quoted("\(output.isProbe ? "probe" : "output")\n\(shorten(output.name))")), \(style)];\n"
            if let producer = index[output.value] { out += "  n\(producer) -> out\(i);\n" }
        }
        out += "}\n"
        return out
    }

    static func label(_ op: Op, numbering: IRPrinter.Numbering) -> String {
        var lines = ["\(numbering.name(op.result)) \(op.kind.mnemonic)"]
        switch op.kind {
        case .input(let name): lines.append(shorten(name))
        case .weight(let key): lines.append(shorten(key))
        case .constant(let data): lines.append("#\(data.digestString)")
        default:
            let attributes = IRPrinter.kindAttributes(op.kind)
            if !attributes.isEmpty { lines.append(attributes.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
            if let name = op.name { lines.append(shorten(name)) }
        }
        lines.append(op.type.description)
        return lines.joined(separator: "\n")
    }

    static func shape(_ kind: OpKind) -> String {
        switch kind {
        case .input: return ", shape=invhouse"
        case .weight: return ", shape=cylinder"
        case .constant: return ", shape=component"
        default: return ""
        }
    }

    /// `bert.encoder.layer.0.mlp.gated_layers.weight` → `…layer.0.mlp.gated_layers.weight` (tail kept).
    static func shorten(_ s: String) -> String {
        guard s.count > maxLabelLength else { return s }
        return "…" + s.suffix(maxLabelLength - 1)
    }

    /// A DOT string literal; newlines become `\n` line breaks in the label.
    static func quoted(_ s: String) -> String { StringLiteralStyle.dot.quote(s) }
}
