/// The packed layout of a matmul weight in the .m2w: what the GEMM kernels stream.
///
/// A block-diagonal weight W[nb, q, p] (y[·, b·q + j] = Σ_s W[b, j, s] · x[·, b·p + s]; a dense [m, n] weight is
/// nb = 1, q = m, p = n) is stored as `[nb][⌈q / w⌉][p][w]`: for each block, panels of w output columns, each
/// panel k-major (one row of w floats per input s), columns past q zero. A micro-kernel then reads one panel row
/// per k with aligned vector loads. With w = q (OpenBLAS) this is `[nb][p][q]`, a row-major k × n operand.
enum WeightPacking {
    /// (nb, q, p) of a weight of rank 2 or 3.
    static func blocks(of shape: [Int]) -> (nb: Int, q: Int, p: Int) {
        shape.count == 2 ? (1, shape[0], shape[1]) : (shape[0], shape[1], shape[2])
    }

    static func packedShape(of shape: [Int], panelWidth w: Int) -> [Int] {
        let (nb, q, p) = blocks(of: shape)
        return [nb, (q + w - 1) / w, p, w]
    }

    /// Floats from one block to the next, and from one panel to the next, in the packed layout.
    static func strides(of shape: [Int], panelWidth w: Int) -> (block: Int, panel: Int) {
        let (_, q, p) = blocks(of: shape)
        return ((q + w - 1) / w * p * w, p * w)
    }

    /// `w` ([nb][q][p], row-major) in the packed layout.
    static func pack(_ w: [Float], shape: [Int], panelWidth width: Int) -> [Float] {
        let (nb, q, p) = blocks(of: shape)
        let panels = (q + width - 1) / width
        var out = [Float](repeating: 0, count: nb * panels * p * width)
        for b in 0..<nb {
            for j in 0..<q {
                let (panel, column) = j.quotientAndRemainder(dividingBy: width)
                let target = ((b * panels + panel) * p) * width + column
                let source = (b * q + j) * p
                for s in 0..<p { out[target + s * width] = w[source + s] }
            }
        }
        return out
    }
}
