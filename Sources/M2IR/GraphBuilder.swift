import M2Support

/// Appends type-checked ops to a graph. Every op's result type comes from `OpKind.inferType`,
/// so a graph built here is well-typed by construction (the verifier re-checks after passes).
/// Leaves (inputs, weights, constants) are de-duplicated: asking for the same weight key twice
/// returns the same value.
public struct GraphBuilder {
    public private(set) var graph: Graph
    private var weightValues: [String: ValueID] = [:]
    private var inputValues: [String: ValueID] = [:]

    public init(name: String, attributes: [String: AttrValue] = [:]) {
        graph = Graph(name: name, attributes: attributes)
    }

    public func type(of v: ValueID) -> TensorType {
        guard let t = typeCache[v] else { preconditionFailure("value \(v) is not defined in this builder") }
        return t
    }

    private var typeCache: [ValueID: TensorType] = [:]

    /// Adds an op; throws `ShapeError` when the operands violate the op's rules.
    @discardableResult
    public mutating func add(_ kind: OpKind, _ operands: [ValueID], reshapeTo: [Int]? = nil,
                             leafType: TensorType? = nil, location: SourceLocation? = nil,
                             name: String? = nil) throws(ShapeError) -> ValueID {
        let t = try kind.inferType(operands.map { type(of: $0) }, reshapeTo: reshapeTo, leafType: leafType)
        // Checked before anything of this size is allocated (random weights, folding, the reference interpreter).
        if let tooLarge = t.sizeLimitViolation {
            throw ShapeError("\(name.map { "\(kind.mnemonic) '\($0)'" } ?? kind.mnemonic): \(tooLarge)")
        }
        let v = graph.freshValue()
        graph.ops.append(Op(kind: kind, operands: operands, result: v, type: t, location: location, name: name))
        typeCache[v] = t
        return v
    }

    /// The weight `key` with the given shape. Asking again for the same key with another shape is an error.
    public mutating func weight(_ key: String, shape: [Int], location: SourceLocation? = nil) throws(ShapeError) -> ValueID {
        if let v = weightValues[key] {
            let t = type(of: v)
            guard t.shape == shape else {
                throw ShapeError("weight '\(key)' is used with shape \(shape) here but \(t.shape) elsewhere")
            }
            return v
        }
        let v = try add(.weight(key: key), [], leafType: .f32(shape), location: location, name: key)
        weightValues[key] = v
        return v
    }

    public mutating func input(_ name: String, type t: TensorType, location: SourceLocation? = nil) throws(ShapeError) -> ValueID {
        if let v = inputValues[name] {
            guard type(of: v) == t else { throw ShapeError("input '\(name)' declared twice with different types") }
            return v
        }
        let v = try add(.input(name: name), [], leafType: t, location: location, name: name)
        inputValues[name] = v
        return v
    }

    public mutating func constant(_ values: [Double], shape: [Int], location: SourceLocation? = nil,
                                  name: String? = nil) throws(ShapeError) -> ValueID {
        try add(.constant(ConstantData(values)), [], leafType: .f32(shape), location: location, name: name)
    }

    public mutating func output(_ name: String, _ v: ValueID, isProbe: Bool = false) {
        graph.outputs.append(GraphOutput(name: name, value: v, isProbe: isProbe))
    }

    public mutating func setAttribute(_ key: String, _ value: AttrValue) {
        graph.attributes[key] = value
    }
}
