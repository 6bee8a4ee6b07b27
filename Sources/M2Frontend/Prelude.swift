/// The standard blocks, always imported. They reproduce the original M2-BERT modules exactly
/// (docs/m2-bert-semantics.md §2–§6) with the original state-dict key names, so a checkpoint
/// loads without renaming. `m2c prelude` prints this text.
public enum Prelude {
    public static let source = #"""
# ---- The m2c standard prelude --------------------------------------------------------------
# Shapes in blocks are per sequence: the batch dimension is implicit and never written.

# torch.nn.Linear: weight [out, in], bias [out].
block Linear(x, out: int, bias: bool = true) {
  let y = blockdiag_matmul(x, weight("weight", [out, dim(x, -1)]), out: out)
  if bias {
    y = y + weight("bias", [out])
  }
  return y
}

# M2's BlockdiagLinear (shuffle off): weight [nb, ceil(out/nb), ceil(in/nb)], bias [out].
block BlockdiagLinear(x, out: int, nblocks: int, bias: bool = true) {
  let w = weight("weight", [nblocks, ceildiv(out, nblocks), ceildiv(dim(x, -1), nblocks)])
  let y = blockdiag_matmul(x, w, out: out)
  if bias {
    y = y + weight("bias", [out])
  }
  return y
}

# LayerNorm over the last axis: weight [D], bias [D].
block LayerNorm(x, eps: float = 1e-12) {
  let d = dim(x, -1)
  return layer_norm(x, weight("weight", [d]), weight("bias", [d]), eps: eps)
}

# torch.nn.Embedding: weight [rows, dim].
block Embedding(ids, rows: int, dim: int) {
  return gather(weight("weight", [rows, dim]), ids)
}

# Causal depthwise Conv1d (padding taps-1, first L outputs kept): x [C, L]; weight [C, 1, taps], bias [C].
block ShortConv(x, taps: int = 3) {
  let c = dim(x, -2)
  return short_conv(x, reshape(weight("weight", [c, 1, taps]), [c, taps]), weight("bias", [c]))
}

# One implicit-filter MLP (implicit_filter or implicit_filter_rev): Linear, Sin, Linear, Sin,
# Linear, Sin, Linear without bias. `freq` is the one frequency vector all Sin layers share.
block ImplicitFilterMLP(z, freq, order: int, channels: int) {
  let h = sin(Linear(z, out: order) @ "0" * freq)
  h = sin(Linear(h, out: order) @ "2" * freq)
  h = sin(Linear(h, out: order) @ "4" * freq)
  return Linear(h, out: channels, bias: false) @ "6"
}

# Hyena implicit filter: kernels [channels, length] from the first `length` rows of the
# positional features z, modulated by exp(-t·|deltas|). Returns (k_fwd, k_rev), or k_fwd alone
# when not bidirectional.
block HyenaFilter(length: int, channels: int, order: int, emb_dim: int, l_max: int,
                  bidirectional: bool = true, w_mod: float = 1.0) {
  assert(length <= l_max, "sequence length {length} exceeds the filter's l_max {l_max}")
  let z = slice(reshape(weight("pos_emb.z", [1, l_max, emb_dim]), [l_max, emb_dim]), axis: 0, end: length)
  let t = slice(reshape(weight("pos_emb.t", [1, l_max, 1]), [l_max, 1]), axis: 0, end: length)
  let deltas = reshape(weight("modulation.deltas", [1, 1, channels]), [channels])
  let decay = exp(-(t * abs(deltas)))
  let freq = weight("implicit_filter.1.freq", [1, order])
  if w_mod != 1.0 {
    freq = freq * w_mod
  }
  let k_fwd = transpose(ImplicitFilterMLP(z, freq, order: order, channels: channels) @ "implicit_filter" * decay, [1, 0])
  probe k_fwd = k_fwd
  if not bidirectional {
    return k_fwd
  }
  let k_rev = transpose(ImplicitFilterMLP(z, freq, order: order, channels: channels) @ "implicit_filter_rev" * decay, [1, 0])
  probe k_rev = k_rev
  return (k_fwd, k_rev)
}

# Long convolution of x [H, L] with a HyenaFilter's kernels and the skip D = "bias" [H].
block ImplicitLongConv(x, order: int, emb_dim: int, l_max: int, bidirectional: bool = true, w_mod: float = 1.0) {
  let h = dim(x, -2)
  let skip = weight("bias", [h])
  if bidirectional {
    let (k_fwd, k_rev) = HyenaFilter(length: dim(x, -1), channels: h, order: order, emb_dim: emb_dim,
                                     l_max: l_max, w_mod: w_mod)
    return long_conv(x, k_fwd, k_rev: k_rev, skip: skip)
  }
  let k = HyenaFilter(length: dim(x, -1), channels: h, order: order, emb_dim: emb_dim, l_max: l_max,
                      bidirectional: false, w_mod: w_mod)
  return long_conv(x, k, skip: skip)
}

# MonarchMixerSequenceMixing: u [L, H] → [L, H].
block M2Mixer(u: f32[L, H], order: int, emb_dim: int, l_max: int, bidirectional: bool = true,
              residual_conv: bool = true, input_norm: bool = false, w_mod: float = 1.0, short_taps: int = 3) {
  if input_norm {
    u = LayerNorm(u, eps: 1e-5) @ "layernorm"
  }
  let p = transpose(Linear(u, out: 3 * H) @ "in_linear", [1, 0])
  let uc = ShortConv(p, taps: short_taps) @ "short_filter"
  probe short_conv_out = uc
  let (x1, x2, v) = split(uc, 3, axis: 0)
  let y = ImplicitLongConv(v * x1, order: order, emb_dim: emb_dim, l_max: l_max, bidirectional: bidirectional,
                           w_mod: w_mod) @ "filter_fn"
  probe long_conv_y = y
  y = y * x2
  if residual_conv {
    let yu = ImplicitLongConv(transpose(u, [1, 0]), order: order, emb_dim: emb_dim, l_max: l_max,
                              bidirectional: bidirectional, w_mod: w_mod) @ "filter_fn2"
    probe residual_conv_yu = yu
    y = y + yu
  }
  let out = Linear(transpose(y, [1, 0]), out: H) @ "out_linear"
  probe out = out
  return out
}

# The MLP's linear layers: block-diagonal (monarch) or dense, same keys either way.
block MLPLinear(x, out: int, nblocks: int, monarch: bool, bias: bool) {
  if monarch {
    return BlockdiagLinear(x, out: out, nblocks: nblocks, bias: bias)
  }
  return Linear(x, out: out, bias: bias)
}

# BertGatedLinearUnitMLP: GELU gates the first half; residual is the input; post-LayerNorm.
block GLUMLP(x, intermediate: int, nblocks: int = 4, monarch: bool = true, eps: float = 1e-12) {
  let g = MLPLinear(x, out: 2 * intermediate, nblocks: nblocks, monarch: monarch, bias: false) @ "gated_layers"
  let (gated, linear) = split(g, 2, axis: -1)
  let o = MLPLinear(gelu(gated) * linear, out: dim(x, -1), nblocks: nblocks, monarch: monarch, bias: true) @ "wo"
  return LayerNorm(o + x, eps: eps) @ "layernorm"
}

# BertMLP (use_glu_mlp = false): LayerNorm(wo(gelu(gated_layers(x))) + x).
block MLP(x, intermediate: int, nblocks: int = 4, monarch: bool = true, eps: float = 1e-12) {
  let g = MLPLinear(x, out: intermediate, nblocks: nblocks, monarch: monarch, bias: false) @ "gated_layers"
  let o = MLPLinear(gelu(g), out: dim(x, -1), nblocks: nblocks, monarch: monarch, bias: true) @ "wo"
  return LayerNorm(o + x, eps: eps) @ "layernorm"
}

# One encoder layer: the M2 mixer, then the MLP (no identity residual around the mixer).
block M2BertLayer(x, intermediate: int, nblocks: int = 4, order: int, emb_dim: int, l_max: int,
                  bidirectional: bool = true, residual_conv: bool = true, input_norm: bool = false,
                  glu: bool = true, monarch: bool = true, w_mod: float = 1.0, eps: float = 1e-12) {
  let a = M2Mixer(x, order: order, emb_dim: emb_dim, l_max: l_max, bidirectional: bidirectional,
                  residual_conv: residual_conv, input_norm: input_norm, w_mod: w_mod) @ "attention"
  let out = a
  if glu {
    out = GLUMLP(a, intermediate: intermediate, nblocks: nblocks, monarch: monarch, eps: eps) @ "mlp"
  } else {
    out = MLP(a, intermediate: intermediate, nblocks: nblocks, monarch: monarch, eps: eps) @ "mlp"
  }
  probe out = out
  return out
}

# Word + token-type (+ learned position, when max_positions > 0) embeddings, then LayerNorm.
block BertEmbeddings(input_ids, token_type_ids, vocab: int, hidden: int, type_vocab: int = 2,
                     max_positions: int = 0, eps: float = 1e-12) {
  let e = Embedding(input_ids, rows: vocab, dim: hidden) @ "word_embeddings"
  e = e + Embedding(token_type_ids, rows: type_vocab, dim: hidden) @ "token_type_embeddings"
  if max_positions > 0 {
    let length = dim(input_ids, -1)
    assert(length <= max_positions, "sequence length {length} exceeds max_positions {max_positions}")
    e = e + slice(weight("position_embeddings.weight", [max_positions, hidden]), axis: 0, end: length)
  }
  let out = LayerNorm(e, eps: eps) @ "LayerNorm"
  probe out = out
  return out
}

# BertPooler (pool_all = false): tanh(dense(x[0])), the [CLS] position.
block ClsPooler(x) {
  return tanh(Linear(x[0], out: dim(x, -1)) @ "dense")
}

# BertPooler (pool_all = true): tanh(dense(Σ x·mask / Σ mask)).
block MeanPooler(x, mask) {
  let m = cast(mask, "f32")
  let mean = sum(x * reshape(m, [dim(m, 0), 1]), axis: 0) / sum(m, axis: 0)
  return tanh(Linear(mean, out: dim(x, -1)) @ "dense")
}

# BertOnlyMLMHead: dense, exact GELU, LayerNorm, then the decoder, whose weight is tied to the
# word embeddings (pass decoder_weight: "decoder.weight" to read the head's own copy).
block MLMHead(x, vocab: int, eps: float = 1e-12,
              decoder_weight: string = "/bert.embeddings.word_embeddings.weight") {
  let h = dim(x, -1)
  let t = LayerNorm(gelu(Linear(x, out: h) @ "transform.dense"), eps: eps) @ "transform.LayerNorm"
  return blockdiag_matmul(t, weight(decoder_weight, [vocab, h]), out: vocab) + weight("decoder.bias", [vocab])
}
"""#
}
