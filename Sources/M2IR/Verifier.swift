import M2Support

/// One broken invariant: where (the op's index and its printed line, or an output line) and what.
public struct VerifierError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Index into `graph.ops`; nil for graph outputs.
    public var opIndex: Int?
    /// The offending op or output as `IRPrinter` prints it.
    public var op: String
    public var message: String
    /// The op's `.m2` source location, when it has one.
    public var location: SourceLocation?

    public init(opIndex: Int?, op: String, message: String, location: SourceLocation? = nil) {
        self.opIndex = opIndex
        self.op = op
        self.message = message
        self.location = location
    }

    public var description: String {
        let place = opIndex.map { "op \($0)" } ?? "output"
        let source = location.map { " (\($0))" } ?? ""
        return "\(place)\(source): \(message)\n    \(op)"
    }
}

/// Checks the IR invariants every pass must preserve (docs/IR.md, "Verifier rules"):
///
/// 1. every operand is defined by an earlier op;
/// 2. every op's result value is unique and below the graph's next free value number;
/// 3. every op's type is what `OpKind.inferType` gives for its operands (for `reshape` the target is the
///    op's own shape; a leaf's own type must satisfy the leaf rules);
/// 4. outputs and probes reference defined values, and their names are unique;
/// 5. weight keys and input names are unique.
public enum Verifier {
    public static func verify(_ graph: Graph) -> [VerifierError] {
        let numbering = IRPrinter.Numbering(graph)
        var errors: [VerifierError] = []
        var types: [ValueID: TensorType] = [:]
        let definedAnywhere = Set(graph.ops.map(\.result))
        var weightKeys: [String: Int] = [:]
        var inputNames: [String: Int] = [:]

        for (index, op) in graph.ops.enumerated() {
            func report(_ message: String) {
                errors.append(VerifierError(
                    opIndex: index, op: IRPrinter.line(for: op, numbering: numbering, options: .init()),
                    message: message, location: op.location))
            }

            var operandTypes: [TensorType] = []
            for (position, operand) in op.operands.enumerated() {
                if let t = types[operand] {
                    operandTypes.append(t)
                } else if definedAnywhere.contains(operand) {
                    report("operand \(position) (\(numbering.name(operand))) is used before it is defined")
                } else {
                    report("operand \(position) (\(operand)) is not defined by any op")
                }
            }

            if types[op.result] != nil {
                report("result \(op.result) is already defined by an earlier op")
            } else if op.result.raw < 0 || op.result.raw >= graph.nextValue {
                report("result \(op.result) is outside the graph's value range 0..<\(graph.nextValue)")
            }

            switch op.kind {
            case .weight(let key):
                if let first = weightKeys[key] { report("weight \"\(key)\" is already loaded by op \(first)") }
                else { weightKeys[key] = index }
            case .input(let name):
                if let first = inputNames[name] { report("input \"\(name)\" is already declared by op \(first)") }
                else { inputNames[name] = index }
            default: break
            }

            // The type rule can only be checked when every operand has a type.
            if operandTypes.count == op.operands.count {
                do {
                    let expected = try op.kind.inferType(operandTypes, reshapeTo: op.type.shape, leafType: op.type)
                    if expected != op.type {
                        report("result type is \(op.type) but \(op.kind.mnemonic) of these operands gives \(expected)")
                    }
                } catch {
                    report(error.message)
                }
            }
            if types[op.result] == nil { types[op.result] = op.type }
        }

        var outputNames: Set<String> = []
        for output in graph.outputs {
            func report(_ message: String) {
                errors.append(VerifierError(opIndex: nil, op: IRPrinter.line(for: output, numbering: numbering), message: message))
            }
            if types[output.value] == nil { report("\(output.isProbe ? "probe" : "output") value \(output.value) is not defined by any op") }
            if !outputNames.insert(output.name).inserted { report("output name \"\(output.name)\" is used twice") }
        }
        return errors
    }
}
