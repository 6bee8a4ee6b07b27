import M2IR
import Testing

@Suite struct FlopCountTests {
    @Test func denseMatmulIsTwoFlopsPerMultiplyAdd() throws {
        var b = GraphBuilder(name: "dense")
        let x = try b.input("x", type: .f32([4, 6], batched: true))
        let w = try b.weight("w", shape: [5, 6])
        let y = try b.add(.blockDiagMatmul(outFeatures: 5), [x, w])
        b.output("y", y)
        // 4 rows × 5 outputs × 6 inputs multiply-adds.
        #expect(FlopCount.perItem(b.graph) == 2 * 4 * 5 * 6)
    }

    @Test func blockDiagonalCountsOnlyTheUsedPartOfEachBlock() throws {
        var b = GraphBuilder(name: "blocks")
        let x = try b.input("x", type: .f32([3, 7], batched: true))      // n = 7 < nb·p = 8: zero padded
        let w = try b.weight("w", shape: [2, 4, 4])
        let y = try b.add(.blockDiagMatmul(outFeatures: 7), [x, w])      // m = 7 < nb·q = 8: truncated
        b.output("y", y)
        // block 0: 4 outputs × 4 inputs; block 1: 3 outputs × 3 inputs; 3 rows.
        #expect(FlopCount.perItem(b.graph) == 2 * 3 * (4 * 4 + 3 * 3))
    }

    @Test func m2BertLayerMatmulsCost14LH2() throws {
        // The matmuls of one M2-BERT layer (semantics §9.2): in 3H×H, out H×H, GLU gated (nb, 2I/nb, H/nb),
        // wo (nb, H/nb, I/nb), with I = 4H and nb = 4.
        let (l, h, nb) = (4, 16, 4)
        let i = 4 * h
        var b = GraphBuilder(name: "layer")
        let x = try b.input("x", type: .f32([l, h], batched: true))
        let p = try b.add(.blockDiagMatmul(outFeatures: 3 * h), [x, try b.weight("in", shape: [3 * h, h])])
        let v = try b.add(.slice(axis: 1, start: 0, end: h), [p])
        let o = try b.add(.blockDiagMatmul(outFeatures: h), [v, try b.weight("out", shape: [h, h])])
        let g = try b.add(.blockDiagMatmul(outFeatures: 2 * i), [o, try b.weight("gated", shape: [nb, 2 * i / nb, h / nb])])
        let gate = try b.add(.slice(axis: 1, start: 0, end: i), [g])
        let y = try b.add(.blockDiagMatmul(outFeatures: h), [gate, try b.weight("wo", shape: [nb, h / nb, i / nb])])
        b.output("y", y)
        #expect(FlopCount.perItem(b.graph) == Double(14 * l * h * h))
    }

    @Test func longConvolutionCountsTheFFTRoute() throws {
        var b = GraphBuilder(name: "conv")
        let x = try b.input("x", type: .f32([2, 8], batched: true))
        let kf = try b.weight("kf", shape: [2, 8]), kr = try b.weight("kr", shape: [2, 8]), d = try b.weight("d", shape: [2])
        let skip = try b.add(.longConv(bidirectional: true, hasSkip: true), [x, kf, kr, d])
        let plain = try b.add(.longConv(bidirectional: false, hasSkip: false), [x, kf])
        b.output("skip", skip)
        b.output("plain", plain)
        // Per row (L = 8, N = 16): rfft + irfft 2 × 2.5 · 16 · 4 = 320, spectrum product 6 · 9 = 54, skip 2 · 8 = 16.
        let entries = FlopCount.forwardOps(of: b.graph)
        let expected: [Double] = [2 * (320 + 54 + 16), 2 * (320 + 54)]
        #expect(entries.map(\.flops) == expected)
    }

    @Test func pointwiseNormalisationAndConvolutionConventions() throws {
        var b = GraphBuilder(name: "pointwise")
        let x = try b.input("x", type: .f32([3, 5], batched: true))
        let gelu = try b.add(.unary(.gelu), [x])
        let sum = try b.add(.binary(.add), [gelu, x])
        let ln = try b.add(.layerNorm(eps: 1e-5), [sum, try b.weight("g", shape: [5]), try b.weight("b", shape: [5])])
        let mean = try b.add(.reduce(.mean, axis: 0), [ln])
        let t = try b.add(.transpose(perm: [1, 0]), [ln])
        let conv = try b.add(.shortConv(taps: 3), [t, try b.weight("cw", shape: [5, 3]), try b.weight("cb", shape: [5])])
        b.output("mean", mean)
        b.output("conv", conv)
        let flops = FlopCount.forwardOps(of: b.graph).map { "\($0.op.kind.mnemonic)=\(Int($0.flops))" }
        #expect(flops == ["gelu=15", "add=15", "layer_norm=120", "reduce_mean=15", "transpose=0", "short_conv=105"])
    }

    @Test func weightOnlyAndDeadOpsAreNotCounted() throws {
        var b = GraphBuilder(name: "filters")
        let x = try b.input("x", type: .f32([2, 4], batched: true))
        let w = try b.weight("w", shape: [4, 4])
        let folded = try b.add(.unary(.sin), [w])                               // runs once at load time
        let y = try b.add(.blockDiagMatmul(outFeatures: 4), [x, folded])
        _ = try b.add(.unary(.exp), [y])                                         // no output needs it
        b.output("y", y)
        let entries = FlopCount.forwardOps(of: b.graph)
        #expect(entries.map(\.op.kind.mnemonic) == ["blockdiag_matmul"])
        #expect(FlopCount.perItem(b.graph) == 2 * 2 * 4 * 4)
    }
}
