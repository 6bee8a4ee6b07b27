import M2IR
import M2Weights

/// Builds M2-BERT subgraphs with GraphBuilder, following docs/m2-bert-semantics.md step by step (the
/// frontend that will normally do this is written in parallel). Activations are [..., L, H]: either
/// batched, or with the golden batch as a leading static dim when a golden intermediate is fed in as a
/// "weight" (which lets every stage be checked in isolation).
struct M2TestGraph {
    var builder: GraphBuilder
    let config: GoldenFixture.Config
    /// Where weight shapes are looked up (the graph must declare the stored shapes).
    let shapes: WeightStore

    init(_ fixture: GoldenFixture, name: String) {
        builder = GraphBuilder(name: name)
        config = fixture.config
        shapes = WeightStore(fixture.store.sources + [fixture.io])
    }

    var graph: Graph { builder.graph }

    struct MissingKey: Error, CustomStringConvertible { var key: String; var description: String { "no tensor '\(key)'" } }

    mutating func weight(_ key: String) throws -> ValueID {
        guard let shape = shapes.shape(of: key) else { throw MissingKey(key: key) }
        return try builder.weight(key, shape: shape)
    }

    mutating func op(_ kind: OpKind, _ operands: ValueID..., reshapeTo: [Int]? = nil, name: String? = nil) throws -> ValueID {
        try builder.add(kind, operands, reshapeTo: reshapeTo, name: name)
    }

    func shape(_ v: ValueID) -> [Int] { builder.type(of: v).shape }

    /// Swaps the last two static axes ([.., L, H] ↔ [.., H, L]).
    mutating func transposeLast2(_ x: ValueID) throws -> ValueID {
        let r = shape(x).count
        return try op(.transpose(perm: Array(0..<(r - 2)) + [r - 1, r - 2]), x)
    }

    /// Linear(x; W, b) = x Wᵀ + b with W (out, in) from the state dict, as a one-block blockdiag_matmul.
    mutating func linear(_ x: ValueID, _ prefix: String, bias: Bool = true) throws -> ValueID {
        try blockdiag(x, prefix + ".weight", bias: bias ? prefix + ".bias" : nil)
    }

    /// BlockdiagLinear with the weight's stored layout ((nb, q, p) or dense (out, in)).
    mutating func blockdiag(_ x: ValueID, _ weightKey: String, bias biasKey: String? = nil, out: Int? = nil) throws -> ValueID {
        let w = try weight(weightKey)
        let ws = shape(w)
        let m = out ?? (ws.count == 3 ? ws[0] * ws[1] : ws[0])
        var y = try op(.blockDiagMatmul(outFeatures: m), x, w)
        if let biasKey { y = try op(.binary(.add), y, try weight(biasKey)) }
        return y
    }

    /// §3.5: the modulated implicit filter of one direction, transposed to channel-major (H, L).
    mutating func filterKernel(_ filter: String, reverse: Bool) throws -> ValueID {
        let (l, e, h) = (config.seqLen, config.embDim, config.hidden)
        let mlp = filter + (reverse ? ".implicit_filter_rev" : ".implicit_filter")
        let zAll = try weight(filter + ".pos_emb.z")
        let lMax = shape(zAll)[1]
        let z = try op(.slice(axis: 0, start: 0, end: l), try op(.reshape, zAll, reshapeTo: [lMax, e]))
        var hidden = z
        for (linearIndex, sinIndex) in [(0, 1), (2, 3), (4, 5)] {
            hidden = try linear(hidden, "\(mlp).\(linearIndex)")
            let freq = try op(.reshape, try weight("\(mlp).\(sinIndex).freq"), reshapeTo: [config.filterOrder])
            var phase = try op(.binary(.mul), hidden, freq)
            if config.sinScale != 1 { phase = try op(.scale(config.sinScale), phase) }
            hidden = try op(.unary(.sin), phase)
        }
        let raw = try linear(hidden, "\(mlp).6", bias: false)                                   // (L, H)
        // ExponentialModulation: k[n, h] = raw[n, h] · exp(−t[n] · |deltas[h]|), shift 0.
        let tAll = try weight(filter + ".pos_emb.t")
        let t = try op(.slice(axis: 0, start: 0, end: l), try op(.reshape, tAll, reshapeTo: [shape(tAll)[1], 1]))
        let deltas = try op(.unary(.abs), try op(.reshape, try weight(filter + ".modulation.deltas"), reshapeTo: [1, h]))
        let decay = try op(.unary(.exp), try op(.unary(.neg), try op(.binary(.mul), t, deltas)))  // (L, H)
        return try op(.transpose(perm: [1, 0]), try op(.binary(.mul), raw, decay))
    }

    /// §3.6–3.7: the long conv of filter `filter` with its D skip, on x (.., H, L).
    mutating func longConv(_ x: ValueID, filter: String, kernels: (fwd: ValueID, rev: ValueID?)? = nil) throws -> ValueID {
        let fwd = try kernels?.fwd ?? filterKernel(filter, reverse: false)
        let rev = try kernels.map { $0.rev } ?? (config.bidirectional ? filterKernel(filter, reverse: true) : nil)
        let d = try weight(filter + ".bias")
        let operands = [x, fwd] + (rev.map { [$0] } ?? []) + [d]
        return try builder.add(.longConv(bidirectional: rev != nil, hasSkip: true), operands)
    }

    /// §3.2–3.3: in_linear, channel-major transpose, causal 3-tap short conv → (.., 3H, L) = [x1|x2|v].
    mutating func shortConvStage(_ u: ValueID, layer: Int) throws -> ValueID {
        let p = "bert.encoder.layer.\(layer).attention"
        let projected = try transposeLast2(try linear(u, p + ".in_linear"))
        let w = try op(.reshape, try weight(p + ".short_filter.weight"), reshapeTo: [3 * config.hidden, 3])
        return try builder.add(.shortConv(taps: 3), [projected, w, try weight(p + ".short_filter.bias")])
    }

    /// Channels [from·H, (from+1)·H) of a (.., 3H, L) tensor.
    mutating func channels(_ uc: ValueID, _ block: Int) throws -> ValueID {
        let axis = shape(uc).count - 2
        return try op(.slice(axis: axis, start: block * config.hidden, end: (block + 1) * config.hidden), uc)
    }

    /// The whole mixer (§3), probing every golden intermediate of layer `layer` under `probePrefix`.
    mutating func mixer(_ u: ValueID, layer: Int, probePrefix: String?) throws -> ValueID {
        let p = "bert.encoder.layer.\(layer).attention"
        let uc = try shortConvStage(u, layer: layer)
        let (x1, x2, v) = (try channels(uc, 0), try channels(uc, 1), try channels(uc, 2))
        let y = try longConv(try op(.binary(.mul), v, x1), filter: p + ".filter_fn")
        var gated = try op(.binary(.mul), y, x2)
        var yu: ValueID?
        if config.residualLongConv {
            let residual = try longConv(try transposeLast2(u), filter: p + ".filter_fn2")
            gated = try op(.binary(.add), gated, residual)
            yu = residual
        }
        let out = try linear(try transposeLast2(gated), p + ".out_linear")
        if let probePrefix {
            builder.output(probePrefix + "short_conv_out", uc, isProbe: true)
            builder.output(probePrefix + "long_conv_y", y, isProbe: true)
            if let yu { builder.output(probePrefix + "residual_conv_yu", yu, isProbe: true) }
            builder.output(probePrefix + "mixer_out", out, isProbe: true)
        }
        return out
    }

    /// §5: GLU (or plain GELU) block-diagonal MLP with the post-LayerNorm residual on the mixer output.
    mutating func mlp(_ a: ValueID, layer: Int) throws -> ValueID {
        let p = "bert.encoder.layer.\(layer).mlp"
        let i = config.intermediate
        let g = try blockdiag(a, p + ".gated_layers.weight", out: config.gluMLP ? 2 * i : i)
        let hidden: ValueID
        if config.gluMLP {
            let last = shape(g).count - 1
            let gate = try op(.unary(.gelu), try op(.slice(axis: last, start: 0, end: i), g))
            hidden = try op(.binary(.mul), gate, try op(.slice(axis: last, start: i, end: 2 * i), g))
        } else {
            hidden = try op(.unary(.gelu), g)
        }
        let o = try blockdiag(hidden, p + ".wo.weight", bias: p + ".wo.bias", out: config.hidden)
        return try op(.layerNorm(eps: config.layerNormEps), try op(.binary(.add), o, a),
                      try weight(p + ".layernorm.weight"), try weight(p + ".layernorm.bias"))
    }

    /// §2: word + token type (+ position) embeddings, LayerNorm. Inputs are batched i32[L].
    mutating func embeddings() throws -> ValueID {
        let l = config.seqLen
        let ids = try builder.input("input_ids", type: .i32([l], batched: true))
        let types = try builder.input("token_type_ids", type: .i32([l], batched: true))
        let p = "bert.embeddings"
        var e = try op(.binary(.add), try op(.gather, try weight(p + ".word_embeddings.weight"), ids),
                       try op(.gather, try weight(p + ".token_type_embeddings.weight"), types))
        if config.positions {
            let positions = try op(.slice(axis: 0, start: 0, end: l), try weight(p + ".position_embeddings.weight"))
            e = try op(.binary(.add), e, positions)
        }
        return try op(.layerNorm(eps: config.layerNormEps), e, try weight(p + ".LayerNorm.weight"),
                      try weight(p + ".LayerNorm.bias"))
    }

    /// The whole BertForMaskedLM forward plus both poolers, with every golden output and probe.
    mutating func fullModel() throws {
        var x = try embeddings()
        builder.output("embeddings_out", x, isProbe: true)
        for layer in 0..<config.layers {
            x = try mlp(try mixer(x, layer: layer, probePrefix: layer == 0 ? "layer0_" : nil), layer: layer)
            builder.output("layer\(layer)_out", x, isProbe: true)
        }
        builder.output("last_hidden_state", x)

        // §6.3 MLM head, decoder tied to the word embeddings.
        let transform = "cls.predictions.transform"
        let t = try op(.layerNorm(eps: 1e-12), try op(.unary(.gelu), try linear(x, transform + ".dense")),
                       try weight(transform + ".LayerNorm.weight"), try weight(transform + ".LayerNorm.bias"))
        builder.output("mlm_logits", try linear(t, "cls.predictions.decoder"))

        // §6.2 poolers: [CLS] and the attention-masked mean.
        let h = config.hidden, l = config.seqLen
        let cls = try op(.reshape, try op(.slice(axis: 0, start: 0, end: 1), x), reshapeTo: [h])
        builder.output("pooled_output", try op(.unary(.tanh), try linear(cls, "bert.pooler.dense")))
        let mask = try builder.input("attention_mask", type: .i32([l], batched: true))
        let m = try op(.reshape, try op(.cast(.f32), mask), reshapeTo: [l, 1])
        let sum = try op(.reduce(.sum, axis: 0), try op(.binary(.mul), x, m))
        let mean = try op(.binary(.div), sum, try op(.reduce(.sum, axis: 0), m))
        builder.output("pooled_output_mean", try op(.unary(.tanh), try linear(mean, "bert.pooler.dense")))
    }
}
