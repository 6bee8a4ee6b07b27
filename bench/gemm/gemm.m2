# One block-diagonal (or dense, nblocks = 1) matmul: the GEMM micro-benchmark's model (bench/gemm/run.sh).
model gemm(rows: int = 128, features_in: int = 768, features_out: int = 2304, nblocks: int = 1) {
  input x: f32[rows, features_in]
  output y = blockdiag_matmul(x, weight("w", [nblocks, features_out // nblocks, features_in // nblocks]))
}
