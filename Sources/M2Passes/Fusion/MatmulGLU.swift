import M2IR

extension RewriteRule {
    /// `glu(f)` of a matmul with a stored weight → the matmul with a `glu_f` epilogue step, so the GEMM computes
    /// each gate tile and its value tile together and stores only f(gate) · value: the 2I-wide product never
    /// reaches memory. The halves must be whole weight blocks (an even number of blocks, block b gating block
    /// b + nb/2) or, for a dense weight, start on a 64-column boundary, so that a kernel's weight panels (at
    /// most 32 columns) never straddle the two halves. CPU only: `PassRegistry.cudaPipeline` and `--gemm
    /// openblas` switch it off (their GEMMs finish each column on its own).
    static let matmulGLU = RewriteRule(MatmulGLU.name) { op, state in
        guard case .glu(let f) = op.kind, let h = op.soleOperand, let matmul = state.soleProducer(of: h),
              let parts = FusedMatmulParts(matmul), parts.epilogue.last?.isGLU != true,
              MatmulGLU.halvesAreAligned(weight: matmul.operands[1], outFeatures: parts.outFeatures, state) else { return nil }
        return parts.appending(.glu(f))
    }
}

enum MatmulGLU {
    static let name = "matmul-glu"

    /// Whether the weight is stored (packed at compile time) and its halves are whole blocks or 64-aligned.
    static func halvesAreAligned(weight w: ValueID, outFeatures m: Int, _ state: RewriteState) -> Bool {
        guard let producer = state.producer(of: w), let t = state.type(of: w), !t.batched, m % 2 == 0 else { return false }
        switch producer.kind {
        case .weight, .constant: break
        default: return false
        }
        switch t.rank {
        case 2: return t.shape[0] == m && (m / 2) % 64 == 0
        case 3:
            let (nb, q) = (t.shape[0], t.shape[1])
            if nb == 1 { return q == m && (m / 2) % 64 == 0 }
            return nb % 2 == 0 && nb * q == m
        default: return false
        }
    }
}
