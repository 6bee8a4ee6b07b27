import M2IR

/// The identity of a compiled model: SHA-256 of a canonical description of the graph (ops, attributes,
/// types, constant digests, outputs, graph attributes) and of the .m2w layout version. The same graph gives
/// the same hash; a weights file made for any other graph is refused at open.
public enum ModelHash {
    /// The first line of the CPU target's description: its .m2w stores matmul weights packed.
    public static let cpuLayout = "m2c-cpu m2w-layout \(M2WLayout.formatVersion) packed-blockdiag"

    /// `layout` names the target's tensor layouts, so a .m2w written for one target is refused by another.
    public static func of(_ graph: Graph, layout: String = cpuLayout) -> [UInt8] {
        var lines = [layout, "graph \(graph.name)"]
        for (key, value) in graph.attributes.sorted(by: { $0.key < $1.key }) { lines.append("attr \(key) = \(value)") }
        for op in graph.ops {
            let kind: String
            if case .constant(let data) = op.kind { kind = "const#\(data.digestString)" } else { kind = String(describing: op.kind) }
            let operands = op.operands.map(\.description).joined(separator: ",")
            lines.append("\(op.result) = \(kind)(\(operands)) : \(op.type)")
        }
        for out in graph.outputs { lines.append("output \(out.name) = \(out.value)\(out.isProbe ? " probe" : "")") }
        return SHA256.digest(Array(lines.joined(separator: "\n").utf8))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
