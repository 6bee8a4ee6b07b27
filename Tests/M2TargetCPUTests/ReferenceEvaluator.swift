import Foundation
import M2IR
import M2Weights

/// Straightforward Float64 loops written from the OpKind doc comments, one batch item at a time:
/// the expected values the generated C is compared with.
struct ReferenceEvaluator {
    let graph: Graph
    let weights: WeightStore
    /// Input name → values for all items, [batch][input shape].
    let inputs: [String: [Double]]
    let batch: Int

    /// Output name → values for all items, [batch][output shape].
    func outputs() throws -> [String: [Double]] {
        var result: [String: [Double]] = [:]
        for item in 0..<batch {
            let values = try evaluate(item: item)
            for out in graph.outputs { result[out.name, default: []] += values[out.value] ?? [] }
        }
        return result
    }

    private func evaluate(item: Int) throws -> [ValueID: [Double]] {
        var v: [ValueID: [Double]] = [:]
        var shape: [ValueID: [Int]] = [:]
        for op in graph.ops {
            let xs = op.operands.map { v[$0] ?? [] }
            let ss = op.operands.map { shape[$0] ?? [] }
            shape[op.result] = op.type.shape
            switch op.kind {
            case .input(let name):
                let n = op.type.elementCount
                if let all = inputs[name] {
                    v[op.result] = Array(all[(item * n)..<((item + 1) * n)])
                } else if case .int(let d) = op.annotations["default"] {
                    v[op.result] = [Double](repeating: Double(d), count: n)
                }
            case .weight(let key): v[op.result] = try weights.doubles(key)
            case .constant(let data): v[op.result] = data.values
            case .blockDiagMatmul(let m):
                v[op.result] = product(xs[0], features: ss[0].last!, weight: xs[1], weightShape: ss[1], outFeatures: m)
            case .unary(let f): v[op.result] = xs[0].map { unary(f, $0) }
            case .scale(let c): v[op.result] = xs[0].map { $0 * c }
            case .shift(let c): v[op.result] = xs[0].map { $0 + c }
            case .binary(let f):
                let out = op.type.shape
                v[op.result] = (0..<op.type.elementCount).map { i in
                    binary(f, xs[0][broadcastIndex(i, out, ss[0])], xs[1][broadcastIndex(i, out, ss[1])])
                }
            case .layerNorm(let eps):
                v[op.result] = layerNorm(xs[0], width: ss[0].last!, gamma: xs[1], beta: xs[2], eps: eps)
            case .reduce(let f, let axis):
                let s = ss[0]
                let outer = s[..<axis].reduce(1, *), n = s[axis], inner = s[(axis + 1)...].reduce(1, *)
                var y: [Double] = []
                for o in 0..<outer {
                    for j in 0..<inner {
                        let column = (0..<n).map { xs[0][(o * n + $0) * inner + j] }
                        switch f {
                        case .sum: y.append(column.reduce(0, +))
                        case .mean: y.append(column.reduce(0, +) / Double(n))
                        case .max: y.append(column.max()!)
                        }
                    }
                }
                v[op.result] = y
            case .gather:
                let dim = ss[0][1]
                v[op.result] = xs[1].flatMap { id in xs[0][(Int(id) * dim)..<((Int(id) + 1) * dim)] }
            case .shortConv(let taps, .channelsLast):
                // [.., L, C]: y[i, c] = bias[c] + Σ_k W[c, k] · x[i − (taps−1) + k, c] per sequence.
                let (l, c) = (ss[0][ss[0].count - 2], ss[0].last!)
                var y = [Double](repeating: 0, count: xs[0].count)
                for s in 0..<(xs[0].count / (l * c)) {
                    for i in 0..<l {
                        for ch in 0..<c {
                            var acc = xs.count == 3 ? xs[2][ch] : 0
                            for k in 0..<taps where i - (taps - 1) + k >= 0 {
                                acc += xs[1][ch * taps + k] * xs[0][(s * l + i - (taps - 1) + k) * c + ch]
                            }
                            y[(s * l + i) * c + ch] = acc
                        }
                    }
                }
                v[op.result] = y
            case .shortConv(let taps, .channelsFirst):
                let (c, l) = (ss[0][ss[0].count - 2], ss[0].last!)
                var y = [Double](repeating: 0, count: xs[0].count)
                for r in 0..<(xs[0].count / l) {
                    let ch = r % c
                    for i in 0..<l {
                        var acc = xs.count == 3 ? xs[2][ch] : 0
                        for k in 0..<taps where i - (taps - 1) + k >= 0 { acc += xs[1][ch * taps + k] * xs[0][r * l + i - (taps - 1) + k] }
                        y[r * l + i] = acc
                    }
                }
                v[op.result] = y
            case .longConv(let bidirectional, let hasSkip):
                let (h, l) = (ss[0][ss[0].count - 2], ss[0].last!)
                var y = [Double](repeating: 0, count: xs[0].count)
                for r in 0..<(xs[0].count / l) {
                    let ch = r % h
                    for i in 0..<l {
                        var acc = 0.0
                        for j in 0...i { acc += xs[1][ch * l + i - j] * xs[0][r * l + j] }
                        if bidirectional { for j in (i + 1)..<max(i + 1, l) { acc += xs[2][ch * l + j - i - 1] * xs[0][r * l + j] } }
                        if hasSkip { acc += xs[xs.count - 1][ch] * xs[0][r * l + i] }
                        y[r * l + i] = acc
                    }
                }
                v[op.result] = y
            case .monarchConv(let factors, let preGate, let postGate, let residual, .channelsLast, let inputConv?):
                // z [L, S·H]: its channels-last short convolution, then the segments x, g1, g2 of H channels.
                let (l, zc) = (ss[0][ss[0].count - 2], ss[0].last!), h = ss[ss.count - 1][1], taps = inputConv.taps
                var conv = [Double](repeating: 0, count: xs[0].count)
                for i in 0..<l {
                    for ch in 0..<zc {
                        var acc = xs[2][ch]
                        for k in 0..<taps where i - (taps - 1) + k >= 0 { acc += xs[1][ch * taps + k] * xs[0][(i - (taps - 1) + k) * zc + ch] }
                        conv[i * zc + ch] = acc
                    }
                }
                let segments = inputConv.segments.map { seg in (0..<(l * h)).map { conv[($0 / h) * zc + seg * h + $0 % h] } }
                let data = segments + xs[3...]
                let swapped = data.enumerated().map { $0 == data.count - 1 ? $1 : Self.swapBlocks($1, rows: l, columns: h) }
                let y = monarchConv(swapped, shape: Array(ss[0].dropLast(2)) + [h, l], factors: factors, gated: [preGate, postGate, residual])
                v[op.result] = Self.swapBlocks(y, rows: h, columns: l)
            case .monarchConv(let factors, let preGate, let postGate, let residual, .channelsLast, nil):
                let (l, h) = (ss[0][ss[0].count - 2], ss[0].last!)
                let swapped = xs.enumerated().map { $0 == xs.count - 1 ? $1 : Self.swapBlocks($1, rows: l, columns: h) }
                let y = monarchConv(swapped, shape: Array(ss[0].dropLast(2)) + [h, l], factors: factors, gated: [preGate, postGate, residual])
                v[op.result] = Self.swapBlocks(y, rows: h, columns: l)
            case .monarchConv(let factors, let preGate, let postGate, let residual, .channelsFirst, _):
                v[op.result] = monarchConv(xs, shape: ss[0], factors: factors, gated: [preGate, postGate, residual])
            case .transpose(let perm):
                let out = op.type.shape, src = ss[0]
                v[op.result] = (0..<op.type.elementCount).map { i in
                    let idx = unflatten(i, out)
                    var s = [Int](repeating: 0, count: src.count)
                    for (k, p) in perm.enumerated() { s[p] = idx[k] }
                    return xs[0][flatten(s, src)]
                }
            case .reshape: v[op.result] = xs[0]
            case .slice(let axis, let start, _):
                v[op.result] = (0..<op.type.elementCount).map { i in
                    var idx = unflatten(i, op.type.shape)
                    idx[axis] += start
                    return xs[0][flatten(idx, ss[0])]
                }
            case .concat(let axis):
                v[op.result] = (0..<op.type.elementCount).map { i in
                    var idx = unflatten(i, op.type.shape)
                    for (x, s) in zip(xs, ss) {
                        if idx[axis] < s[axis] { return x[flatten(idx, s)] }
                        idx[axis] -= s[axis]
                    }
                    return .nan
                }
            case .cast(let to): v[op.result] = to == .i32 ? xs[0].map { $0.rounded(.towardZero) } : xs[0]
            case .glu(let f):
                let half = ss[0].last! / 2
                v[op.result] = (0..<op.type.elementCount).map { i in
                    let (row, j) = (i / half, i % half)
                    return unary(f, xs[0][row * 2 * half + j]) * xs[0][row * 2 * half + half + j]
                }
            case .addLayerNorm(let eps):
                v[op.result] = layerNorm(zip(xs[0], xs[1]).map(+), width: ss[0].last!, gamma: xs[2], beta: xs[3], eps: eps)
            case .fusedMatmul(let m, let epilogue):
                var y = product(xs[0], features: ss[0].last!, weight: xs[1], weightShape: ss[1], outFeatures: m)
                var next = 2
                for step in epilogue {
                    switch step {
                    case .bias: y = y.indices.map { y[$0] + xs[next][$0 % m] }; next += 1
                    case .residual: y = zip(y, xs[next]).map(+); next += 1
                    case .unary(let f): y = y.map { unary(f, $0) }
                    case .glu(let f):
                        let half = m / 2
                        y = (0..<(y.count / 2)).map { i in
                            let (row, j) = (i / half, i % half)
                            return unary(f, y[row * m + j]) * y[row * m + half + j]
                        }
                    }
                }
                v[op.result] = y
            }
        }
        return v
    }

    /// y[r, b·q + o] = Σ_s W[b, o, s] · x[r, b·p + s] (x zero-padded), `outFeatures` columns kept.
    private func product(_ x: [Double], features n: Int, weight: [Double], weightShape w: [Int], outFeatures m: Int) -> [Double] {
        let (q, p) = w.count == 2 ? (w[0], w[1]) : (w[1], w[2])
        let rows = x.count / n
        var y = [Double](repeating: 0, count: rows * m)
        for r in 0..<rows {
            for j in 0..<m {
                let (b, o) = (j / q, j % q)
                var acc = 0.0
                for s in 0..<p where b * p + s < n { acc += weight[(b * q + o) * p + s] * x[r * n + b * p + s] }
                y[r * m + j] = acc
            }
        }
        return y
    }

    private func layerNorm(_ x: [Double], width d: Int, gamma: [Double], beta: [Double], eps: Double) -> [Double] {
        var y = x
        for r in 0..<(x.count / d) {
            let row = x[(r * d)..<((r + 1) * d)]
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
            for i in 0..<d { y[r * d + i] = (row[r * d + i] - mean) / (variance + eps).squareRoot() * gamma[i] + beta[i] }
        }
        return y
    }

    private func unary(_ f: UnaryFn, _ x: Double) -> Double {
        switch f {
        case .gelu: return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
        case .geluTanh: return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .sin: return sin(x)
        case .cos: return cos(x)
        case .exp: return exp(x)
        case .log: return log(x)
        case .tanh: return tanh(x)
        case .sigmoid: return 1 / (1 + exp(-x))
        case .relu: return max(0, x)
        case .abs: return Swift.abs(x)
        case .neg: return -x
        case .sqrt: return x.squareRoot()
        case .rsqrt: return 1 / x.squareRoot()
        case .square: return x * x
        }
    }

    private func binary(_ f: BinaryFn, _ a: Double, _ b: Double) -> Double {
        switch f {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .maximum: return max(a, b)
        case .minimum: return min(a, b)
        }
    }

    /// Each consecutive rows × columns block of x, transposed.
    static func swapBlocks(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        var y = x
        for base in stride(from: 0, to: x.count, by: rows * columns) {
            for r in 0..<rows { for c in 0..<columns { y[base + c * rows + r] = x[base + r * columns + c] } }
        }
        return y
    }

    private func unflatten(_ i: Int, _ shape: [Int]) -> [Int] {
        var rest = i
        var idx = [Int](repeating: 0, count: shape.count)
        for d in shape.indices.reversed() {
            idx[d] = rest % shape[d]
            rest /= shape[d]
        }
        return idx
    }

    private func flatten(_ idx: [Int], _ shape: [Int]) -> Int {
        zip(idx, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// Index into an operand of shape `s` for flat result index `i` (right-aligned broadcasting).
    private func broadcastIndex(_ i: Int, _ out: [Int], _ s: [Int]) -> Int {
        let idx = unflatten(i, out)
        let lead = out.count - s.count
        return flatten(s.indices.map { s[$0] == 1 ? 0 : idx[$0 + lead] }, s)
    }

    /// conv(x ⊙ g1) ⊙ g2 + r with the spectrum read back into natural order through the digit reversal of the op's
    /// doc comment; the convolution as a direct sum over the DFT: y[i] = Re Σ_k S[k]·X[k]·ω_N^{−ki}.
    private func monarchConv(_ xs: [[Double]], shape: [Int], factors: [Int], gated: [Bool]) -> [Double] {
        let (h, l) = (shape[shape.count - 2], shape[shape.count - 1])
        let n = 2 * l
        var next = 1
        let extras = gated.map { present -> [Double]? in
            guard present else { return nil }
            defer { next += 1 }
            return xs[next]
        }
        let spectrum = xs[next]
        var natural = [Double](repeating: 0, count: 2 * h * n)
        for (position, k) in MonarchSpectrumOrder.frequencies(factors: factors).enumerated() {
            for part in 0..<2 { for c in 0..<h { natural[(part * h + c) * n + k] = spectrum[(part * h + c) * n + position] } }
        }
        var y = [Double](repeating: 0, count: xs[0].count)
        for row in 0..<(xs[0].count / l) {
            let c = row % h
            let x = (0..<l).map { xs[0][row * l + $0] * (extras[0]?[row * l + $0] ?? 1) }
            for i in 0..<l {
                var acc = 0.0
                for k in 0..<n {
                    var re = 0.0, im = 0.0
                    for j in 0..<l {
                        let angle = -2 * Double.pi * Double((k * j) % n) / Double(n)
                        re += x[j] * cos(angle)
                        im += x[j] * sin(angle)
                    }
                    let (sr, si) = (natural[c * n + k], natural[(h + c) * n + k])
                    let (pr, pi) = (re * sr - im * si, re * si + im * sr)
                    let back = 2 * Double.pi * Double((k * i) % n) / Double(n)
                    acc += pr * cos(back) - pi * sin(back)
                }
                y[row * l + i] = acc * (extras[1]?[row * l + i] ?? 1) + (extras[2]?[row * l + i] ?? 0)
            }
        }
        return y
    }
}
