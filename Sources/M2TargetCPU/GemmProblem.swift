import M2IR

/// What the tiles of one matmul with a stored weight depend on: y[rows, nb·q] = x[rows, nb·p] · blockdiag(W) per
/// batch item, and whether its epilogue (a GLU) needs whole k. Matmuls with equal problems get equal tiles, which
/// is how `--tune` groups them (the twelve in-projections of M2-BERT-base are one problem).
public struct GemmProblem: Hashable, Sendable, CustomStringConvertible {
    public var rowsPerItem: Int
    /// The blocks, columns per block and k per block that work items cover (a GLU's gate half only: GLUHalves).
    public var blocks: Int, outPerBlock: Int, inPerBlock: Int
    /// A GLU epilogue finishes each micro-tile's gate and value together: k is never split.
    public var wholeK: Bool
    /// x slices that share L2 (2 for a GLU whose halves are different blocks, reading different columns of x).
    public var inputSlices: Int
    /// The epilogue's steps as the IR prints them (`bias`, `glu_gelu`, …): two problems of equal shapes with
    /// different epilogues are tuned apart, since the epilogue's cost depends on the strip the tiles give it.
    public var epilogue: [String]

    public init(rowsPerItem: Int, blocks: Int, outPerBlock: Int, inPerBlock: Int, wholeK: Bool = false,
                inputSlices: Int = 1, epilogue: [String] = []) {
        (self.rowsPerItem, self.blocks, self.outPerBlock, self.inPerBlock) = (rowsPerItem, blocks, outPerBlock, inPerBlock)
        (self.wholeK, self.inputSlices, self.epilogue) = (wholeK, inputSlices, epilogue)
    }

    /// `rows 128, 4 × (192 → 768), glu_gelu`.
    public var description: String {
        "rows \(rowsPerItem), \(blocks == 1 ? "" : "\(blocks) × ")(\(inPerBlock) → \(outPerBlock))"
            + (epilogue.isEmpty ? "" : ", " + epilogue.joined(separator: "+"))
    }

    /// The problem of `op` in `graph`, or nil when it runs no tiled GEMM (not a block-diagonal product, or its
    /// weight is computed in the graph instead of stored and packed).
    public static func of(_ op: Op, in graph: Graph, storedLeaves: Set<ValueID>) -> GemmProblem? {
        guard op.kind.isBlockDiagProduct, op.operands.count >= 2, storedLeaves.contains(op.operands[1]),
              let x = graph.type(of: op.operands[0]), let w = graph.type(of: op.operands[1]), !w.batched else { return nil }
        let (nb, q, p) = w.rank == 2 ? (1, w.shape[0], w.shape[1]) : (w.shape[0], w.shape[1], w.shape[2])
        let n = max(1, x.shape.last ?? 1)
        let halves = GLUHalves(op.kind, weight: w)
        var steps: [String] = []
        if case .fusedMatmul(_, let epilogue) = op.kind { steps = epilogue.map(\.spelling) }
        return GemmProblem(rowsPerItem: x.elementCount / n, blocks: halves?.gateBlocks ?? nb,
                           outPerBlock: halves?.gateColumnsPerBlock ?? q, inPerBlock: p, wholeK: halves != nil,
                           inputSlices: (halves?.valueBlockOffset ?? 0) > 0 ? 2 : 1, epilogue: steps)
    }

    /// Every matmul of `graph` that runs a tiled GEMM, in graph order, with its problem.
    public static func all(in graph: Graph) -> [(op: Int, problem: GemmProblem)] {
        var leaves = Set<ValueID>()
        for op in graph.ops {
            switch op.kind {
            case .weight, .constant: leaves.insert(op.result)
            default: break
            }
        }
        return graph.ops.indices.compactMap { i in of(graph.ops[i], in: graph, storedLeaves: leaves).map { (i, $0) } }
    }
}
