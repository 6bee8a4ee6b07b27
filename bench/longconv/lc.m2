# One M2-BERT long convolution as a model of its own, for bench/longconv/bench.sh: a bidirectional
# convolution of `channels` rows of length seq_len with a D skip (semantics §3.7), kernels from weights.
# `m2c compile` lowers it to Monarch-FFT form (CPU pipeline) or, with --long-conv direct, keeps the direct sum.
model lc(seq_len: int = 128, channels: int = 768) {
  input x: f32[channels, seq_len]
  output y = long_conv(x, weight("k_fwd", [channels, seq_len]),
                       k_rev: weight("k_rev", [channels, seq_len]), skip: weight("skip", [channels]))
}
