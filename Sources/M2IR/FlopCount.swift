import Foundation

/// Floating-point operations of a graph's forward pass, per batch item, counted from the IR.
///
/// These are *model* flops: what the op must compute, independent of how a target computes it, so
/// "achieved GFLOP/s" compares implementations fairly (as MFU does for ML models). Conventions:
/// - a multiply-add is 2 flops; a block-diagonal matmul counts only its blocks (zero padding and truncated
///   outputs excluded);
/// - element-wise ops count 1 per result element (GELU, exp, sin included), LayerNorm 8 per element,
///   a reduction 1 per input element, a short convolution 2 per tap per element (+1 with a bias);
/// - a long convolution counts its FFT route (semantics §9.2), whatever the target runs: per row of length
///   L, rfft + irfft of size N = 2L at 2.5·N·log2 N each, the spectrum product 6·(L+1), the D skip 2·L.
///   A direct O(L²) kernel therefore shows up as a low rate, which it is;
/// - fused ops count what the ops they replace count (`glu` 2 per result element, `add_layer_norm` 9, a
///   `fused_matmul` its product plus 1 per epilogue step per element);
/// - layout ops (transpose, reshape, slice, concat), casts, gathers and leaves are free.
/// Only ops that run per forward count (batched results that some output needs); ops on weights alone run
/// once at load time.
public enum FlopCount {
    /// Flops of `op` for one batch item, given its operands' types in operand order.
    public static func flops(of op: Op, operandTypes: [TensorType]) -> Double {
        let elements = Double(op.type.elementCount)
        switch op.kind {
        case .input, .weight, .constant, .reshape, .transpose, .slice, .concat, .cast, .gather:
            return 0
        case .unary, .scale, .shift, .binary:
            return elements
        case .layerNorm:
            return 8 * elements
        case .reduce:
            return Double(operandTypes.first?.elementCount ?? 0)
        case .shortConv(let taps, _):
            return elements * Double(2 * taps + (op.operands.count == 3 ? 1 : 0))
        case .blockDiagMatmul(let outFeatures):
            guard operandTypes.count == 2 else { return 0 }
            return blockDiagMatmulFlops(x: operandTypes[0], w: operandTypes[1], outFeatures: outFeatures)
        case .longConv(_, let hasSkip):
            guard let l = op.type.shape.last, l > 0 else { return 0 }
            let rows = elements / Double(l)
            let n = Double(2 * l)
            let perRow = 2 * 2.5 * n * log2(n) + 6 * Double(l + 1) + (hasSkip ? 2 * Double(l) : 0)
            return rows * perRow
        case .glu:
            return 2 * elements                    // f and the gate product, per result element
        case .addLayerNorm:
            return 9 * elements                    // the add, then LayerNorm's 8
        case .fusedMatmul(let outFeatures, let epilogue):
            guard operandTypes.count >= 2 else { return 0 }
            // One per step per product element, like the ops it absorbed; a GLU (last) counts like the glu op
            // (2 per result element) and its result is half the product.
            let glu = epilogue.last?.isGLU == true
            let productElements = glu ? 2 * elements : elements
            return blockDiagMatmulFlops(x: operandTypes[0], w: operandTypes[1], outFeatures: outFeatures)
                + Double(epilogue.count - (glu ? 1 : 0)) * productElements + (glu ? 2 * elements : 0)
        case .monarchConv(_, let preGate, let postGate, let residual, let layout, let inputConv):
            // The ops it replaces: long_conv's FFT route (D is folded into the spectrum, so its 2·L per row is
            // not visible here) and one element-wise op per gate and residual.
            guard op.type.rank >= 2 else { return 0 }
            let l = layout.channelsAndLength(of: op.type.shape).length
            guard l > 0 else { return 0 }
            let n = Double(2 * l)
            let convolution = elements / Double(l) * (2 * 2.5 * n * log2(n) + 6 * Double(l + 1))
            // The fused short convolution counts as the short_conv it replaces (all S·H channels of z).
            let shortConv = inputConv.map { Double(operandTypes.first?.elementCount ?? 0) * Double(2 * $0.taps + 1) } ?? 0
            return convolution + elements * Double([preGate, postGate, residual].filter { $0 }.count) + shortConv
        }
    }

    /// One op that runs per forward, with its per-item flops.
    public struct Entry: Sendable {
        public var op: Op
        public var flops: Double
    }

    /// Every op of `graph` that runs per forward (batched, needed by an output, not a leaf or reshape),
    /// in graph order, with its per-item flops.
    public static func forwardOps(of graph: Graph) -> [Entry] {
        var types: [ValueID: TensorType] = [:]
        for op in graph.ops { types[op.result] = op.type }
        let live = liveValues(graph)
        return graph.ops.compactMap { op in
            guard live.contains(op.result), op.type.batched, !op.kind.isLeaf, op.kind != .reshape else { return nil }
            let operandTypes = op.operands.map { types[$0] ?? .f32([]) }
            return Entry(op: op, flops: flops(of: op, operandTypes: operandTypes))
        }
    }

    /// Flops of one forward pass per batch item.
    public static func perItem(_ graph: Graph) -> Double {
        forwardOps(of: graph).reduce(0) { $0 + $1.flops }
    }

    /// x f32[..., n] · W f32[nb, q, p] (or f32[m, n], one block), truncated to `outFeatures` outputs:
    /// block b multiplies the inputs [b·p, min(n, (b+1)·p)) into the outputs [b·q, min(m, (b+1)·q)).
    static func blockDiagMatmulFlops(x: TensorType, w: TensorType, outFeatures m: Int) -> Double {
        guard let n = x.shape.last, n > 0 else { return 0 }
        let rows = Double(x.elementCount / n)
        let (nb, q, p) = w.rank == 2 ? (1, w.shape[0], w.shape[1]) : w.rank == 3 ? (w.shape[0], w.shape[1], w.shape[2]) : (0, 0, 0)
        var macs = 0
        for b in 0..<nb {
            let outputs = max(0, min(q, m - b * q)), inputs = max(0, min(p, n - b * p))
            macs += outputs * inputs
        }
        return 2 * rows * Double(macs)
    }

    private static func liveValues(_ graph: Graph) -> Set<ValueID> {
        var live = Set(graph.outputs.map(\.value))
        for op in graph.ops.reversed() where live.contains(op.result) { live.formUnion(op.operands) }
        return live
    }
}
