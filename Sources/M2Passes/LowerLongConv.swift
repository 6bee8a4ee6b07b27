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
    public static let forcedFactorsAnnotation = MonarchFactorChoice.forcedFactorsAnnotation

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
        let choice = MonarchFactorChoice(forced: forced, allowedFactors: allowedFactors, costModel: costModel)
        try choice.rewriteLongConvs(in: &graph, context: &context) { op, plan, spectrum, graph in
            var builder = MonarchConvolutionBuilder(plan: plan, inputType: op.type, firstFreeValue: graph.nextValue,
                                                    location: op.location, name: op.name)
            let ops: [Op]
            do throws(ShapeError) {
                ops = try builder.lower(input: op.operands[0], inputType: op.type,
                                        spectrum: spectrum.permuted(builder.outputFrequencyOrder), result: op.result)
            } catch {
                throw Diagnostic.error("cannot lower long_conv to Monarch form \(plan): \(error.message)", at: op.location)
            }
            graph.reserveValues(through: ValueID(builder.lastValue))
            return ops
        }
    }
}
