# A non-BERT Monarch Mixer: an MLP-Mixer-style classifier over a sequence of feature vectors.
# Token mixing is a Monarch product along the sequence: block-diagonal matmul, the perfect-shuffle
# permutation (reshape/transpose/reshape), block-diagonal matmul again. A causal long convolution
# with an explicit learned kernel (long_conv without k_rev) adds long-range, past-only context.
# Weight names are this model's own; run it with random weights.

# Monarch matrix on the last axis (size n = nb²·…): two block-diagonal factors with the
# shuffle permutation between them, as in M = P·B2·P·B1.
block Monarch(x: f32[R, N], nblocks: int) {
  assert(N % nblocks == 0, "Monarch needs a size divisible by nblocks, got {N} and {nblocks}")
  let b = N // nblocks
  let y = blockdiag_matmul(x, weight("blocks1", [nblocks, b, b]))
  y = reshape(transpose(reshape(y, [R, nblocks, b]), [0, 2, 1]), [R, N])   # perfect shuffle
  y = blockdiag_matmul(y, weight("blocks2", [nblocks, b, b]))
  return reshape(transpose(reshape(y, [R, b, nblocks]), [0, 2, 1]), [R, N])
}

# Token mixing: Monarch along the sequence axis of x [L, D], then a residual.
block TokenMixer(x: f32[L, D], nblocks: int) {
  let mixed = transpose(Monarch(transpose(LayerNorm(x) @ "norm", [1, 0]), nblocks: nblocks) @ "monarch", [1, 0])
  return x + mixed
}

# Causal long convolution along the sequence with a learned kernel per channel and a skip.
block CausalConv(x: f32[L, D]) {
  let h = transpose(LayerNorm(x) @ "norm", [1, 0])                 # [D, L]
  let k = weight("kernel", [D, L]) * exp(arange(L) * -0.05)       # decaying learned kernel
  let y = long_conv(h, k, skip: weight("skip", [D]))
  return x + transpose(y, [1, 0])
}

# Channel mixing: a block-diagonal MLP with GELU.
block ChannelMixer(x: f32[L, D], expansion: int, nblocks: int) {
  let h = gelu(BlockdiagLinear(LayerNorm(x) @ "norm", out: expansion * D, nblocks: nblocks) @ "fc1")
  return x + BlockdiagLinear(h, out: D, nblocks: nblocks) @ "fc2"
}

model monarch_mixer_mlp(seq_len: int = 256, features: int = 32, width: int = 128, depth: int = 4,
                        nblocks: int = 4, expansion: int = 2, classes: int = 10) {
  input features_in: f32[seq_len, features]
  let x = Linear(features_in, out: width) @ "embed"
  for i in 0..<depth {
    x = TokenMixer(x, nblocks: 16) @ "layers.{i}.token_mix"
    x = CausalConv(x) @ "layers.{i}.conv"
    x = ChannelMixer(x, expansion: expansion, nblocks: nblocks) @ "layers.{i}.channel_mix"
    probe out = x
  }
  let pooled = mean(LayerNorm(x) @ "final_norm", axis: 0)
  output logits = Linear(pooled, out: classes) @ "head"
  output sequence = x
}
