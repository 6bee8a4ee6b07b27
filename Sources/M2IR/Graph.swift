import M2Support

/// An SSA value: the result of exactly one op.
public struct ValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let raw: Int
    public init(_ raw: Int) { self.raw = raw }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.raw < b.raw }
    public var description: String { "%\(raw)" }
}

/// One op: a kind with its attributes, operands, one result of a static type, and provenance.
public struct Op: Hashable, Sendable {
    public var kind: OpKind
    public var operands: [ValueID]
    public var result: ValueID
    public var type: TensorType
    /// Where in the `.m2` source this op came from.
    public var location: SourceLocation?
    /// Scope path for humans, e.g. `bert.encoder.layer.0.attention/uc` (the weight prefix, then the variable).
    public var name: String?
    /// Annotations added by passes (fusion group, tile sizes, precision, …). Printed sorted.
    public var annotations: [String: AttrValue]

    public init(kind: OpKind, operands: [ValueID], result: ValueID, type: TensorType,
                location: SourceLocation? = nil, name: String? = nil, annotations: [String: AttrValue] = [:]) {
        self.kind = kind
        self.operands = operands
        self.result = result
        self.type = type
        self.location = location
        self.name = name
        self.annotations = annotations
    }
}

/// A named graph result (`last_hidden_state`, `pooled_output`, …) or a debug probe.
public struct GraphOutput: Hashable, Sendable {
    public var name: String
    public var value: ValueID
    /// Probes are intermediate values a user asked to observe (`probe` in the language); targets may skip them.
    public var isProbe: Bool

    public init(name: String, value: ValueID, isProbe: Bool = false) {
        self.name = name
        self.value = value
        self.isProbe = isProbe
    }
}

/// A straight-line, static-shaped SSA graph for one model at a fixed sequence length.
/// `ops` are in a valid execution order (every operand defined before use).
public struct Graph: Hashable, Sendable {
    public var name: String
    /// Model-level facts carried for later stages (e.g. `seq_len`), printed in the header.
    public var attributes: [String: AttrValue]
    public var ops: [Op]
    public var outputs: [GraphOutput]
    /// Next unused value number; values are never reused within one graph.
    public private(set) var nextValue: Int

    public init(name: String, attributes: [String: AttrValue] = [:]) {
        self.name = name
        self.attributes = attributes
        self.ops = []
        self.outputs = []
        self.nextValue = 0
    }

    public mutating func freshValue() -> ValueID {
        defer { nextValue += 1 }
        return ValueID(nextValue)
    }

    /// Keeps `nextValue` above every value present (for graphs assembled by hand or parsed).
    public mutating func reserveValues(through v: ValueID) {
        nextValue = max(nextValue, v.raw + 1)
    }

    /// Index of each value's defining op.
    public func producerIndex() -> [ValueID: Int] {
        var m: [ValueID: Int] = [:]
        m.reserveCapacity(ops.count)
        for (i, op) in ops.enumerated() { m[op.result] = i }
        return m
    }

    public func op(defining v: ValueID) -> Op? { ops.first { $0.result == v } }

    public func type(of v: ValueID) -> TensorType? { op(defining: v)?.type }

    /// Number of uses of each value by ops and outputs.
    public func useCounts() -> [ValueID: Int] {
        var uses: [ValueID: Int] = [:]
        for op in ops { for o in op.operands { uses[o, default: 0] += 1 } }
        for out in outputs { uses[out.value, default: 0] += 1 }
        return uses
    }

    /// Rewrites every use of `old` (in ops and outputs) to `new`.
    public mutating func replaceAllUses(of old: ValueID, with new: ValueID) {
        for i in ops.indices {
            for j in ops[i].operands.indices where ops[i].operands[j] == old { ops[i].operands[j] = new }
        }
        for i in outputs.indices where outputs[i].value == old { outputs[i].value = new }
    }

    public var inputs: [Op] { ops.filter { if case .input = $0.kind { return true } else { return false } } }
    public var weights: [Op] { ops.filter { if case .weight = $0.kind { return true } else { return false } } }
}
