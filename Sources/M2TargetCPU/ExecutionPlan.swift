import M2IR

/// Where a value's elements live at run time.
public enum ValueHome: Hashable, Sendable {
    /// In the activation arena at a per-item byte offset (the C side scales it by the batch).
    case arena(offset: Int)
    /// In the statics buffer (weight-only values computed at open), at a float offset.
    case statics(offset: Int)
    /// A tensor of the .m2w, by table index.
    case tensor(index: Int)
}

/// How a stored leaf tensor is laid out in the .m2w.
public enum TensorLayout: Hashable, Sendable {
    /// Row-major in the order of its IR shape.
    case plain
    /// A block-diagonal weight [nb, q, p] (or dense [m, n]) stored as panels of `width` output columns, the
    /// layout the GEMM kernels stream (see `WeightPacking`).
    case packedPanels(width: Int)
    /// A `monarch_conv` spectrum [2, H, N] stored as `[⌈H / lanes⌉][N][2][lanes]`: per group of `lanes` channels,
    /// each frequency's real then imaginary parts as one vector each (channels past H zero), the order the fused
    /// kernel reads them (`SpectrumPacking`).
    case channelLanes(lanes: Int)
}

/// Decisions made before any text is written: which ops run (dead ones are dropped), which run once at open
/// (they depend only on weights), where every value lives, and which tensors the .m2w holds.
public struct ExecutionPlan {
    public struct StoredTensor: Hashable, Sendable {
        public var leaf: ValueID
        public var layout: TensorLayout
        public var name: String
        /// The shape written into the .m2w (the packed layout's, for packed tensors).
        public var shape: [Int]
    }

    public let graph: Graph
    /// Ops that run in forward (batched results), in graph order.
    public private(set) var forwardOps: [Op] = []
    /// Ops that run once at open (unbatched, non-leaf results), in graph order.
    public private(set) var prologueOps: [Op] = []
    /// Input ops that some live op or output reads.
    public private(set) var liveInputs: Set<ValueID> = []
    public private(set) var homes: [ValueID: ValueHome] = [:]
    public private(set) var tensors: [StoredTensor] = []
    /// For a block-diagonal matmul whose weight is a leaf (or a `monarch_conv` whose spectrum is): the packed
    /// tensor's table index, by op result.
    private(set) var packedWeight: [ValueID: Int] = [:]
    public private(set) var arenaBytesPerItem = 0
    public private(set) var staticsFloats = 0
    /// Per-op scratch in the arena (live only while the op runs) and tables in the statics (filled at open),
    /// for kernels that need them (`monarch_conv`), by op result.
    private(set) var scratchHome: [ValueID: Int] = [:]
    private(set) var tableHome: [ValueID: Int] = [:]
    private let kernelMemory: [ValueID: KernelMemory]

    /// What a kernel needs besides its operands and result.
    struct KernelMemory: Hashable {
        var scratchBytesPerItem: Int
        var tableFloats: Int
        /// The last operand, when a constant, is stored `.channelLanes(lanes:)` (the op's packedWeight entry).
        var lastOperandLanes: Int?
    }

    /// `panelWidths`: for each block-diagonal matmul with a stored weight, the panel width its kernel reads
    /// (`GemmTiling.nr`); such weights are stored packed.
    /// `kernelMemory`: scratch and table sizes of the ops whose kernels need them.
    public init(_ graph: Graph, panelWidths: [ValueID: Int] = [:]) throws(CPUEmitError) {
        try self.init(graph, panelWidths: panelWidths, kernelMemory: [:])
    }

    init(_ graph: Graph, panelWidths: [ValueID: Int], kernelMemory: [ValueID: KernelMemory]) throws(CPUEmitError) {
        self.graph = graph
        self.kernelMemory = kernelMemory
        let live = Self.liveValues(graph)
        let ops = graph.ops.filter { live.contains($0.result) }
        var root: [ValueID: ValueID] = [:]
        func rootOf(_ v: ValueID) -> ValueID { root[v] ?? v }
        for op in ops where op.kind == .reshape { root[op.result] = rootOf(op.operands[0]) }

        try assignTensors(ops, rootOf: rootOf, panelWidths: panelWidths)
        for op in ops {
            if case .input(let name) = op.kind {
                guard op.type.batched else {
                    throw .unsupported(op: "input '\(name)'", reason: "inputs must carry the batch dimension, got \(op.type)")
                }
                liveInputs.insert(op.result)
            } else if !op.kind.isLeaf && op.kind != .reshape {
                if op.type.batched { forwardOps.append(op) } else { prologueOps.append(op) }
            }
        }
        for op in prologueOps {
            homes[op.result] = .statics(offset: staticsFloats)
            staticsFloats += (op.type.elementCount + 15) / 16 * 16
        }
        for op in forwardOps {
            guard let tables = kernelMemory[op.result]?.tableFloats, tables > 0 else { continue }
            tableHome[op.result] = staticsFloats
            staticsFloats += (tables + 15) / 16 * 16
        }
        planArena(ops, rootOf: rootOf)
        for op in ops where op.kind == .reshape { homes[op.result] = homes[rootOf(op.result)] }
    }

    /// Values some output depends on (walking operands backwards from the outputs).
    private static func liveValues(_ graph: Graph) -> Set<ValueID> {
        var live = Set(graph.outputs.map(\.value))
        for op in graph.ops.reversed() where live.contains(op.result) { live.formUnion(op.operands) }
        return live
    }

    /// One .m2w entry per leaf and layout used: the packed layout for leaves read directly as a matmul weight,
    /// the plain one for every other use.
    private mutating func assignTensors(_ ops: [Op], rootOf: (ValueID) -> ValueID,
                                        panelWidths: [ValueID: Int]) throws(CPUEmitError) {
        let leafOps = Dictionary(ops.filter { $0.kind.isLeaf }.map { ($0.result, $0) }, uniquingKeysWith: { a, _ in a })
        var index: [StoredTensor: Int] = [:]
        /// The table index of `op`'s tensor in `layout`, adding the entry on first use.
        func entry(_ op: Op, _ layout: TensorLayout) -> Int {
            let leaf = op.result
            let base: String
            switch op.kind {
            case .weight(let key): base = key
            default: base = op.name.map { "\($0)\(leaf)" } ?? "const\(leaf)"
            }
            let name: String, shape: [Int]
            switch layout {
            case .plain: (name, shape) = (base, op.type.shape)
            case .packedPanels(let width):
                (name, shape) = (base + "@packed\(width)", WeightPacking.packedShape(of: op.type.shape, panelWidth: width))
            case .channelLanes(let lanes):
                (name, shape) = (base + "@lanes\(lanes)", SpectrumPacking.packedShape(of: op.type.shape, lanes: lanes))
            }
            let t = StoredTensor(leaf: leaf, layout: layout, name: name, shape: shape)
            if let i = index[t] { return i }
            tensors.append(t)
            index[t] = tensors.count - 1
            return tensors.count - 1
        }
        /// The op defining `v` when it is a weight or constant (inputs live in the arena).
        func storedLeaf(_ v: ValueID) -> Op? {
            guard let op = leafOps[v] else { return nil }
            if case .input = op.kind { return nil }
            return op
        }
        for op in ops {
            for (i, operand) in op.operands.enumerated() {
                guard let leaf = storedLeaf(rootOf(operand)) else { continue }
                // Each entry is computed before the dictionary write: `entry` itself mutates `self`.
                if op.kind.isBlockDiagProduct, i == 1, leaf.result == operand, let width = panelWidths[op.result] {
                    let packed = entry(leaf, .packedPanels(width: width))
                    packedWeight[op.result] = packed
                } else if i == op.operands.count - 1, leaf.result == operand, let lanes = kernelMemory[op.result]?.lastOperandLanes {
                    let packed = entry(leaf, .channelLanes(lanes: lanes))
                    packedWeight[op.result] = packed
                } else {
                    let plain = entry(leaf, .plain)
                    homes[leaf.result] = .tensor(index: plain)
                }
            }
        }
        for out in graph.outputs {
            guard let leaf = storedLeaf(rootOf(out.value)) else { continue }
            let plain = entry(leaf, .plain)
            homes[leaf.result] = .tensor(index: plain)
        }
    }

    /// Liveness-based placement of batched values: inputs first (forward copies them in before any kernel),
    /// then each op's result; a value is released after its last reader (outputs live to the end).
    private mutating func planArena(_ ops: [Op], rootOf: (ValueID) -> ValueID) {
        let end = ops.count
        var lastUse: [ValueID: Int] = [:]
        for (step, op) in ops.enumerated() {
            for operand in op.operands { lastUse[rootOf(operand)] = step }
        }
        for out in graph.outputs { lastUse[rootOf(out.value)] = end }

        var planner = ArenaPlanner()
        for op in ops where liveInputs.contains(op.result) {
            homes[op.result] = .arena(offset: planner.place(bytes: op.type.elementCount * 4, lastUse: lastUse[op.result] ?? 0))
        }
        for (step, op) in ops.enumerated() {
            planner.release(before: step)
            guard op.type.batched, !op.kind.isLeaf, op.kind != .reshape else { continue }
            homes[op.result] = .arena(offset: planner.place(bytes: op.type.elementCount * 4, lastUse: lastUse[op.result] ?? step))
            // Scratch is placed after the result, so it overlaps neither the operands nor the result.
            if let scratch = kernelMemory[op.result]?.scratchBytesPerItem, scratch > 0 {
                scratchHome[op.result] = planner.place(bytes: scratch, lastUse: step)
            }
        }
        arenaBytesPerItem = planner.peak
    }
}
