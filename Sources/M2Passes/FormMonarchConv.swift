import M2IR
import M2Support

/// `form-monarch-conv`: replaces every `long_conv` whose kernels (and D) are known at compile time by one
/// `monarch_conv` reading the constant spectrum DFT_N(K)/N in the forward Monarch output order, so a target runs
/// the whole convolution as one kernel (docs/MONARCH_FFT.md, "The fused form"):
///
///     %3 = long_conv %0, %1, %2 {bidirectional = true, skip = false} : f32[B,2,8]
///   →
///     %4 = const #… : f32[2,2,16]   (real and imaginary spectrum, D and 1/N folded in)
///     %3 = monarch_conv %0, %4 {factors = [4,4], pre_gate = false, post_gate = false, residual = false} : f32[B,2,8]
///
/// Factorizations are chosen exactly as `lower-long-conv` chooses them (`MonarchFactorChoice`: annotation
/// `monarch.factors`, the pass's `forced`, else the cheapest under `costModel`). The fusion rules
/// `monarch-pre-gate`, `monarch-post-gate` and `monarch-residual` then absorb the gates and the residual add.
public struct FormMonarchConv: Pass {
    public let name = "form-monarch-conv"
    public let summary = "Turn long convolutions with constant kernels into single monarch_conv ops (spectrum in Monarch order)."

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
            let channels = op.type.shape[op.type.rank - 2]
            let ordered = spectrum.permuted(MonarchSpectrumOrder.frequencies(factors: plan.factors))
            let annotations: [String: AttrValue] = ["monarch": .string(plan.description)]
            let table = Op(kind: .constant(ConstantData(ordered.re + ordered.im)), operands: [], result: graph.freshValue(),
                           type: .f32([2, channels, plan.length]), location: op.location, name: op.name, annotations: annotations)
            let kind = OpKind.monarchConv(factors: plan.factors, preGate: false, postGate: false, residual: false)
            let conv = Op(kind: kind, operands: [op.operands[0], table.result], result: op.result, type: op.type,
                          location: op.location, name: op.name,
                          annotations: op.annotations.filter { $0.key != MonarchFactorChoice.forcedFactorsAnnotation }
                              .merging(annotations) { $1 })
            return [table, conv]
        }
    }
}
