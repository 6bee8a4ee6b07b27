import Foundation
import M2IR

/// Element-wise kernels: unary functions, scale/shift, and broadcasting binary functions.
enum ElementwiseKernels {
    static func function(_ fn: UnaryFn) -> (Double) -> Double {
        switch fn {
        case .gelu: return { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }
        case .geluTanh:
            let c = (2 / Double.pi).squareRoot()
            return { 0.5 * $0 * (1 + tanh(c * ($0 + 0.044715 * $0 * $0 * $0))) }
        case .sin: return { sin($0) }
        case .cos: return { cos($0) }
        case .exp: return { exp($0) }
        case .log: return { log($0) }
        case .tanh: return { tanh($0) }
        case .sigmoid: return { 1 / (1 + exp(-$0)) }
        case .relu: return { max($0, 0) }
        case .abs: return { Swift.abs($0) }
        case .neg: return { -$0 }
        case .sqrt: return { $0.squareRoot() }
        case .rsqrt: return { 1 / $0.squareRoot() }
        case .square: return { $0 * $0 }
        }
    }

    static func function(_ fn: BinaryFn) -> (Double, Double) -> Double {
        switch fn {
        case .add: return { $0 + $1 }
        case .sub: return { $0 - $1 }
        case .mul: return { $0 * $1 }
        case .div: return { $0 / $1 }
        // Propagate NaN like torch.maximum/minimum rather than Swift's max/min, which drop it.
        case .maximum: return { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
        case .minimum: return { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
        }
    }

    static func map(_ x: Tensor64, _ f: (Double) -> Double) -> Tensor64 {
        var out = [Double](repeating: 0, count: x.values.count)
        x.values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                parallelFor(src.count, costPerItem: 8) { range in
                    for i in range { dst[i] = f(src[i]) }
                }
            }
        }
        return Tensor64(shape: x.shape, values: out)
    }

    /// `a ∘ b` with numpy broadcasting over the static dims and batch sharing: an unbatched operand
    /// is aligned against the static dims only, never against the batch dim.
    static func binary(_ fn: BinaryFn, _ a: Tensor64, _ aType: TensorType, _ b: Tensor64, _ bType: TensorType,
                       resultType: TensorType, batch: Int?) -> Tensor64 {
        let f = function(fn)
        let batchDim = resultType.batched ? (batch ?? 1) : 1
        let outShape = (resultType.batched ? [batchDim] : []) + resultType.shape
        if aType.shape == bType.shape && aType.batched == bType.batched {
            var out = [Double](repeating: 0, count: a.values.count)
            a.values.withUnsafeBufferPointer { pa in
                b.values.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { po in
                        parallelFor(po.count, costPerItem: 4) { range in
                            for i in range { po[i] = f(pa[i], pb[i]) }
                        }
                    }
                }
            }
            return Tensor64(shape: outShape, values: out)
        }

        // Align both operands to rank 1 + n: [batch or 1] + leading ones + static shape.
        let n = resultType.rank
        let dims = [batchDim] + resultType.shape
        func strides(_ t: TensorType) -> [Int] {
            let aligned = [t.batched ? batchDim : 1] + [Int](repeating: 1, count: n - t.rank) + t.shape
            var s = [Int](repeating: 0, count: n + 1)
            var step = 1
            for d in stride(from: n, through: 0, by: -1) {
                s[d] = aligned[d] == 1 && dims[d] != 1 ? 0 : step
                step *= aligned[d]
            }
            return s
        }
        let sa = strides(aType), sb = strides(bType)
        let inner = dims[n], innerA = sa[n], innerB = sb[n]
        let rows = dims.reduce(1, *) / Swift.max(inner, 1)
        var out = [Double](repeating: 0, count: rows * inner)
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    parallelFor(rows, costPerItem: inner * 4) { range in
                        for row in range {
                            // Decompose the row index over dims[0..<n] to find each operand's offset.
                            var rest = row, offA = 0, offB = 0
                            for d in stride(from: n - 1, through: 0, by: -1) {
                                let i = rest % dims[d]
                                rest /= dims[d]
                                offA += i * sa[d]
                                offB += i * sb[d]
                            }
                            let base = row * inner
                            var j = 0
                            while j < inner {
                                po[base + j] = f(pa[offA + j * innerA], pb[offB + j * innerB])
                                j += 1
                            }
                        }
                    }
                }
            }
        }
        return Tensor64(shape: outShape, values: out)
    }
}
