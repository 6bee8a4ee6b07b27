import M2IR

/// Where a `fused_matmul` with a GLU epilogue finds the value column of each gate column in its packed weight:
/// the gate half is blocks [0, gateBlocks) (or, dense, columns [0, I) of the one block); value column c + I is
/// in block b + valueBlockOffset at the same in-block column (or, dense, column offset `valueColumnOffset`).
/// Fusion's `matmul-glu` only forms such ops when the halves are whole blocks or 64-column aligned halves.
struct GLUHalves: Equatable {
    /// I: the result's columns.
    var width: Int
    var gateBlocks: Int
    var gateColumnsPerBlock: Int
    var valueBlockOffset: Int
    var valueColumnOffset: Int
    /// The weight's blocks and columns per block.
    var blocks: Int
    var columnsPerBlock: Int

    /// nil when the op has no GLU epilogue; the halves of the weight `w` ([q, p] or [nb, q, p]) otherwise.
    init?(_ kind: OpKind, weight w: TensorType) {
        guard case .fusedMatmul(let m, let steps) = kind, steps.last?.isGLU == true else { return nil }
        let (nb, q) = w.rank == 2 ? (1, w.shape[0]) : (w.shape[0], w.shape[1])
        (blocks, columnsPerBlock, width) = (nb, q, m / 2)
        if nb == 1 {
            (gateBlocks, gateColumnsPerBlock, valueBlockOffset, valueColumnOffset) = (1, width, 0, width)
        } else {
            (gateBlocks, gateColumnsPerBlock, valueBlockOffset, valueColumnOffset) = (nb / 2, q, nb / 2, 0)
        }
    }

    /// Why the kernel cannot pair the halves with panels `nr` columns wide, or nil when it can.
    func misalignment(panelWidth nr: Int) -> String? {
        let (nb, q, m) = (blocks, columnsPerBlock, 2 * width)
        if nb == 1 {
            guard q == m else { return "the dense weight has \(q) columns, the GLU needs exactly out = \(m)" }
            guard width % nr == 0 else { return "the halves (\(width) columns) do not start on a \(nr)-column weight panel" }
            return nil
        }
        guard nb % 2 == 0, nb * q == m else {
            return "the halves are not whole blocks (\(nb) blocks of \(q) columns, out = \(m))"
        }
        return nil
    }
}
