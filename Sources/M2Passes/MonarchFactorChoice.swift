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

    /// The factorization and compile-time spectrum of `op`, or nil when it stays a direct sum (recorded in `kept`
    /// with its reason). A length with no factorization into allowed factors, unless one is forced, is recognised
    /// before the kernels' spectrum is computed, which such a length would only waste; a direct sum is correct at
    /// any length, O(L²) instead of O(L log L).
    func monarchForm(of op: Op, in graph: Graph, producers: [ValueID: Int], context: PassContext,
                     keeping kept: inout KeptDirectConvolutions) throws -> (MonarchFactorization, LongConvSpectrum)? {
        let l = op.type.shape[op.type.rank - 1]
        if forced == nil, op.annotations[Self.forcedFactorsAnnotation] == nil,
           !MonarchFactorization.exists(for: 2 * l, allowed: allowedFactors) {
            kept.keep(op, forLength: UnsupportedLengthError(length: 2 * l, allowed: allowedFactors))
            return nil
        }
        guard let spectrum = try Self.constantSpectrum(of: op, in: graph, producers: producers, context: context) else {
            kept.keepNotConstant(op)
            return nil
        }
        return (try factorization(for: op, sequenceLength: l), spectrum)
    }

    /// The walk both passes make: every `long_conv` with a Monarch form is replaced by the ops `rewrite` returns
    /// for it (given its factorization, its spectrum and the graph, for fresh values); every other op stays, and
    /// the convolutions kept as direct sums add their diagnostics to `context`.
    func rewriteLongConvs(in graph: inout Graph, context: inout PassContext,
                          _ rewrite: (Op, MonarchFactorization, LongConvSpectrum, inout Graph) throws -> [Op]) throws {
        let producers = graph.producerIndex()
        var rewritten: [Op] = []
        rewritten.reserveCapacity(graph.ops.count)
        var kept = KeptDirectConvolutions()
        for op in graph.ops {
            guard case .longConv = op.kind,
                  let (plan, spectrum) = try monarchForm(of: op, in: graph, producers: producers, context: context,
                                                         keeping: &kept) else {
                rewritten.append(op)
                continue
            }
            rewritten += try rewrite(op, plan, spectrum, &graph)
        }
        graph.ops = rewritten
        context.diagnostics += kept.diagnostics
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
    private static func constantSpectrum(of op: Op, in graph: Graph, producers: [ValueID: Int],
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

/// The `long_conv` ops a pass kept as direct sums, and one diagnostic per reason.
struct KeptDirectConvolutions {
    private var notConstant: [Op] = []
    private var forLength: [Op] = []
    private var lengthReason: UnsupportedLengthError?

    mutating func keepNotConstant(_ op: Op) { notConstant.append(op) }

    mutating func keep(_ op: Op, forLength reason: UnsupportedLengthError) {
        forLength.append(op)
        lengthReason = reason
    }

    /// A note for the convolutions whose kernels are not compile-time constants (without weights every layer's),
    /// then a warning for those kept because of their length: they run, at a cost that grows as L², and the user
    /// may prefer a nearby length that factorizes (the reason's suggestion).
    var diagnostics: [Diagnostic] {
        var all: [Diagnostic] = []
        if let first = notConstant.first {
            all.append(Diagnostic(.note, "\(notConstant.count) long_conv op(s) kept as direct sums: their kernels "
                + "are not compile-time constants (give weights to lower them to Monarch-FFT form)",
                at: first.location.map { SourceRange($0, length: 1) }))
        }
        if let first = forLength.first, let lengthReason {
            all.append(Diagnostic(.warning, "\(forLength.count) long_conv op(s) kept as direct O(L²) sums: \(lengthReason.description)",
                                  at: first.location.map { SourceRange($0, length: 1) }))
        }
        return all
    }
}
