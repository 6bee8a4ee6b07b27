import M2IR

extension Op {
    /// The operand of a one-operand op; nil for malformed ops, so rules never index out of range.
    var soleOperand: ValueID? { operands.count == 1 ? operands[0] : nil }
}

/// A named local rewrite: returns nil when `op` does not match.
struct RewriteRule: Sendable {
    let name: String
    let apply: @Sendable (_ op: Op, _ state: RewriteState) -> Rewrite?

    init(_ name: String, _ apply: @escaping @Sendable (_ op: Op, _ state: RewriteState) -> Rewrite?) {
        self.name = name
        self.apply = apply
    }
}

enum Rewrite {
    /// Every use of the op's result becomes `value` (of the same type); the op is erased.
    case replace(with: ValueID)
    /// The op becomes another kind/operands with the same result and type.
    case update(OpKind, operands: [ValueID])
    /// New ops go just before this one (their results `RewriteState.fresh(0)`, `fresh(1)`, … in list order,
    /// their locations the op's), then the op becomes `kind` of `operands` with its result and type, keeping
    /// no annotation but the rule's. How a layout rule moves a transpose past an op: the op's work goes to an
    /// inserted op in the other layout and the op itself becomes the transpose of that result.
    case expand(inserted: [Op], then: OpKind, operands: [ValueID])
}

/// What the rules see: the already-visited (final) ops, the substitution of erased values, and how many
/// readers each value had before the sweep (fusion rules absorb a producer only when it has one reader).
struct RewriteState {
    var substitution: [ValueID: ValueID] = [:]
    /// Use counts (ops and outputs): those of the graph the sweep started from, kept exact across `.update`
    /// rewrites by `moveUses` (an absorbed op that loses its last reader releases its own operands).
    var uses: [ValueID: Int] = [:]
    /// The first value number no op of the graph uses: where `fresh` results start.
    var nextFresh = 0
    private var producers: [ValueID: Op] = [:]
    private var firstOccurrence: [PureOpKey: ValueID] = [:]

    /// Replacements are always kept (final) ops, never erased ones, so one lookup suffices.
    func resolve(_ v: ValueID) -> ValueID { substitution[v] ?? v }

    func producer(of v: ValueID) -> Op? { producers[v] }

    /// The result of the `k`-th op a `.expand` rewrite inserts.
    func fresh(_ k: Int) -> ValueID { ValueID(nextFresh + k) }

    /// The producer of `v` when this op is its only reader: an op a fused consumer may absorb.
    func soleProducer(of v: ValueID) -> Op? { uses[v] == 1 ? producers[v] : nil }
    func type(of v: ValueID) -> TensorType? { producers[v]?.type }

    /// An earlier op computing the same value (same kind, operands, type and annotations), for CSE.
    /// Inputs are never merged: each is a distinct argument of the compiled model.
    func identical(to op: Op) -> ValueID? {
        if case .input = op.kind { return nil }
        return firstOccurrence[PureOpKey(op)]
    }

    /// An op that read `old` now reads `new`: the values it stopped reading lose a reader, and a producer left
    /// with none (absorbed by the rewrite, erased after the sweep) stops reading its own operands, recursively.
    mutating func moveUses(from old: [ValueID], to new: [ValueID]) {
        for v in new { uses[v, default: 0] += 1 }
        var released = old
        while let v = released.popLast() {
            uses[v, default: 0] -= 1
            guard uses[v] == 0, let producer = producers[v] else { continue }
            if case .input = producer.kind { continue }
            released += producer.operands
        }
    }

    mutating func record(_ op: Op) {
        producers[op.result] = op
        if case .input = op.kind { return }
        let key = PureOpKey(op)
        if firstOccurrence[key] == nil { firstOccurrence[key] = op.result }
    }
}

/// Every op but `input` is a pure function of its kind and operands.
struct PureOpKey: Hashable {
    let kind: OpKind
    let operands: [ValueID]
    let type: TensorType
    let annotations: [String: AttrValue]

    init(_ op: Op) {
        kind = op.kind
        operands = op.operands
        type = op.type
        annotations = op.annotations
    }
}
