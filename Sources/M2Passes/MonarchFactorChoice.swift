import M2IR
import M2Reference
import M2Support

/// What `lower-long-conv` and `form-monarch-conv` share about a `long_conv` they rewrite: which factorization
/// it gets (forced per op by the annotation `monarch.factors = "16x16"`, else by the pass, else the cheapest
/// under the cost model; every mismatch an error at the op's location) and its compile-time spectrum.
struct MonarchFactorChoice {
    /// The `long_conv` annotation that forces a factorization for that op, e.g. `#{monarch.factors = "8x8x8"}`.
    static let forcedFactorsAnnotation = "monarch.factors"

    var forced: MonarchFactorization?
    var allowedFactors: ClosedRange<Int>
    var costModel: any MonarchCostModel

    /// Why `op` stays a direct sum whatever its kernels: nothing forces a factorization and 2L has none into
    /// allowed factors. A direct sum is correct at any length, O(L²) instead of O(L log L). Asked before the
    /// kernels' spectrum is computed, which such a length would only waste.
    func unsupportedLength(of op: Op, sequenceLength l: Int) -> UnsupportedLengthError? {
        guard forced == nil, op.annotations[Self.forcedFactorsAnnotation] == nil,
              !MonarchFactorization.exists(for: 2 * l, allowed: allowedFactors) else { return nil }
        return UnsupportedLengthError(length: 2 * l, allowed: allowedFactors)
    }

    /// Forced by annotation, then by the pass, else the cheapest; any mismatch is an error at the op.
    func factorization(for op: Op, sequenceLength l: Int) throws -> MonarchFactorization {
        let n = 2 * l
        var requested = forced
        if let annotation = op.annotations[Self.forcedFactorsAnnotation] {
            guard case .string(let text) = annotation, let plan = MonarchFactorization(parsing: text) else {
                throw Diagnostic.error("\(Self.forcedFactorsAnnotation) must be a string like \"16x16\" of factors ≥ 2 with an even first factor, got \(annotation)",
                                       at: op.location)
            }
            requested = plan
        }
        if let requested {
            guard requested.length == n else {
                throw Diagnostic.error("forced Monarch factorization \(requested) has length \(requested.length), but this long_conv "
                    + "(sequence length \(l)) needs N = 2L = \(n)", at: op.location)
            }
            return requested
        }
        do {
            return try MonarchFactorization.cheapest(for: n, allowed: allowedFactors, model: costModel)
        } catch {
            throw Diagnostic.error("cannot lower long_conv: \(error.description)", at: op.location)
        }
    }

    /// The natural-order spectrum of a `long_conv` whose kernels (and D) are compile-time known — constants, or
    /// weights when the context has a weight store — else nil (the convolution stays a direct sum).
    static func constantSpectrum(of op: Op, in graph: Graph, producers: [ValueID: Int],
                                 context: PassContext) throws -> LongConvSpectrum? {
        guard case .longConv(let bidirectional, let hasSkip) = op.kind, op.type.rank >= 2 else { return nil }
        var operands: [[Double]] = []
        for v in op.operands.dropFirst() {
            guard let index = producers[v], let values = try knownValues(graph.ops[index], weights: context) else { return nil }
            operands.append(values)
        }
        return LongConvSpectrum(forward: operands[0], reverse: bidirectional ? operands[1] : nil,
                                skip: hasSkip ? operands[operands.count - 1] : nil,
                                channels: op.type.shape[op.type.rank - 2], sequenceLength: op.type.shape[op.type.rank - 1])
    }

    /// One warning for all convolutions kept direct because of their length: they run, at a cost that grows as
    /// L², and the user may prefer a nearby length that factorizes (the error's suggestion).
    static func unsupportedLengthWarning(_ kept: [Op], _ reason: UnsupportedLengthError?) -> Diagnostic? {
        guard let first = kept.first, let reason else { return nil }
        return Diagnostic(.warning, "\(kept.count) long_conv op(s) kept as direct O(L²) sums: \(reason.description)",
                          at: first.location.map { SourceRange($0, length: 1) })
    }

    /// One note for all convolutions kept direct: without weights every layer's convolution stays direct.
    static func keptDirectNote(_ kept: [Op]) -> Diagnostic? {
        guard let first = kept.first else { return nil }
        return Diagnostic(.note, "\(kept.count) long_conv op(s) kept as direct sums: their kernels "
            + "are not compile-time constants (give weights to lower them to Monarch-FFT form)",
            at: first.location.map { SourceRange($0, length: 1) })
    }

    /// The values of a compile-time known operand, nil when it is only known at run time.
    private static func knownValues(_ producer: Op, weights context: PassContext) throws -> [Double]? {
        switch producer.kind {
        case .constant(let data): return data.values
        case .weight(let key):
            guard let store = context.weights else { return nil }
            return try ReferenceInterpreter.weightTensor(key: key, type: producer.type, from: store).values
        default: return nil
        }
    }
}
