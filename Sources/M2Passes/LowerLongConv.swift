import M2IR
import M2Reference
import M2Support

/// `lower-long-conv`: replaces every `long_conv` whose kernels (and D) are known at compile time — constants
/// after `fold-constants`, or weights when the context has a weight store — by primitive ops computing the
/// same convolution through a Monarch FFT of length N = 2L (semantics §8; docs/MONARCH_FFT.md):
///
///     %3 = long_conv %0, %1, %2 {bidirectional = true, skip = false} : f32[B,2,8]
///   →
///     %4 = reshape %0 : f32[B,2,2,4] #{monarch = "4x4", stage = "fwd1"}
///     %5 = transpose %4 {perm = [0,2,1]} : f32[B,2,4,2] #{…}
///     %6 = const dense<[…]> : f32[4,2]                      (first half of F_4's columns, real part)
///     %7 = blockdiag_matmul %5, %6 {out = 4} : f32[B,2,4,4]  …  twiddles, stage 2, spectrum product,
///     inverse stages, and a final reshape that defines %3 again.
///
/// The factorization is the cheapest under `costModel` (`MonarchFactorization.cheapest`), unless forced by
/// the pass (`forced`) or per op by the annotation `monarch.factors = "16x16"` on the `long_conv`. A length
/// with no factorization into `allowedFactors` is an error at the op's location naming the nearest
/// supported sequence lengths. Convolutions with run-time kernels stay direct sums.
public struct LowerLongConv: Pass {
    public let name = "lower-long-conv"
    public let summary = "Lower long convolutions with constant kernels to Monarch-FFT form (block-diagonal DFT GEMMs, twiddles, transposes)."

    /// The `long_conv` annotation that forces a factorization for that op, e.g. `#{monarch.factors = "8x8x8"}`.
    public static let forcedFactorsAnnotation = "monarch.factors"

    public var forced: MonarchFactorization?
    public var allowedFactors: ClosedRange<Int>
    public var costModel: any MonarchCostModel

    public init(forced: MonarchFactorization? = nil, allowedFactors: ClosedRange<Int> = MonarchFactorization.defaultAllowedFactors,
                costModel: any MonarchCostModel = CPUMonarchCostModel()) {
        self.forced = forced
        self.allowedFactors = allowedFactors
        self.costModel = costModel
    }

    public func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        let producers = graph.producerIndex()
        var lowered: [Op] = []
        lowered.reserveCapacity(graph.ops.count)
        var keptDirect: [Op] = []
        for op in graph.ops {
            guard case .longConv(let bidirectional, let hasSkip) = op.kind, op.type.rank >= 2 else { lowered.append(op); continue }
            var operands: [[Double]] = []
            for v in op.operands.dropFirst() {
                guard let index = producers[v], let values = try knownValues(graph.ops[index], weights: context) else { break }
                operands.append(values)
            }
            guard operands.count == op.operands.count - 1 else {
                keptDirect.append(op)
                lowered.append(op)
                continue
            }
            let l = op.type.shape[op.type.rank - 1], channels = op.type.shape[op.type.rank - 2]
            let plan = try factorization(for: op, sequenceLength: l)
            var builder = MonarchConvolutionBuilder(plan: plan, inputType: op.type, firstFreeValue: graph.nextValue,
                                                    location: op.location, name: op.name)
            let spectrum = LongConvSpectrum(forward: operands[0], reverse: bidirectional ? operands[1] : nil,
                                            skip: hasSkip ? operands[operands.count - 1] : nil,
                                            channels: channels, sequenceLength: l)
            do {
                lowered += try builder.lower(input: op.operands[0], inputType: op.type,
                                             spectrum: spectrum.permuted(builder.outputFrequencyOrder), result: op.result)
            } catch {
                throw Diagnostic.error("cannot lower long_conv to Monarch form \(plan): \(error.message)", at: op.location)
            }
            graph.reserveValues(through: ValueID(builder.lastValue))
        }
        graph.ops = lowered
        if let first = keptDirect.first {
            // One note for all of them: without weights every layer's convolution stays direct.
            context.diagnostics.append(Diagnostic(.note, "\(keptDirect.count) long_conv op(s) kept as direct sums: their kernels "
                + "are not compile-time constants (give weights to lower them to Monarch-FFT form)",
                at: first.location.map { SourceRange($0, length: 1) }))
        }
    }

    /// Forced by annotation, then by the pass, else the cheapest; any mismatch is an error at the op.
    private func factorization(for op: Op, sequenceLength l: Int) throws -> MonarchFactorization {
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

    /// The values of a compile-time known operand, nil when it is only known at run time.
    private func knownValues(_ producer: Op, weights context: PassContext) throws -> [Double]? {
        switch producer.kind {
        case .constant(let data): return data.values
        case .weight(let key):
            guard let store = context.weights else { return nil }
            return try ReferenceInterpreter.weightTensor(key: key, type: producer.type, from: store).values
        default: return nil
        }
    }
}
