/// The single definition of every op's operand constraints and result type. The builder uses it to
/// create ops, the verifier to re-check them after every pass.
public struct ShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension OpKind {
    /// Result type for the given operand types, or a `ShapeError` saying which constraint failed.
    /// For `.reshape` the caller supplies the target shape in `reshapeTo`; leaves need `leafType`.
    public func inferType(_ operands: [TensorType], reshapeTo: [Int]? = nil,
                          leafType: TensorType? = nil) throws(ShapeError) -> TensorType {
        func need(_ n: ClosedRange<Int>) throws(ShapeError) {
            guard n.contains(operands.count) else {
                throw ShapeError("\(mnemonic) takes \(n.lowerBound == n.upperBound ? "\(n.lowerBound)" : "\(n.lowerBound)–\(n.upperBound)") operand(s), got \(operands.count)")
            }
        }
        func f32(_ t: TensorType, _ what: String) throws(ShapeError) {
            guard t.dtype == .f32 else { throw ShapeError("\(mnemonic): \(what) must be f32, got \(t)") }
        }
        func axisOK(_ axis: Int, _ t: TensorType) throws(ShapeError) {
            guard axis >= 0 && axis < t.rank else { throw ShapeError("\(mnemonic): axis \(axis) out of range for \(t)") }
        }
        func unbatched(_ t: TensorType, _ what: String) throws(ShapeError) {
            guard !t.batched else { throw ShapeError("\(mnemonic): \(what) must not depend on the batch, got \(t)") }
        }

        switch self {
        case .input, .weight:
            try need(0...0)
            guard let t = leafType else { throw ShapeError("\(mnemonic) needs an explicit type") }
            if case .weight = self { try unbatched(t, "a weight") }
            return t
        case .constant(let data):
            try need(0...0)
            guard let t = leafType else { throw ShapeError("const needs an explicit type") }
            try unbatched(t, "a constant")
            guard data.values.count == t.elementCount else {
                throw ShapeError("const has \(data.values.count) values but type \(t) holds \(t.elementCount)")
            }
            return t

        case .blockDiagMatmul(let m):
            try need(2...2)
            let x = operands[0], w = operands[1]
            try f32(x, "input"); try f32(w, "weight")
            guard x.rank >= 1 else { throw ShapeError("blockdiag_matmul: input must have rank ≥ 1, got \(x)") }
            let n = x.shape.last!
            let nb: Int, q: Int, p: Int
            switch w.rank {
            case 2: (nb, q, p) = (1, w.shape[0], w.shape[1])
            case 3: (nb, q, p) = (w.shape[0], w.shape[1], w.shape[2])
            default: throw ShapeError("blockdiag_matmul: weight must be [out, in] or [nblocks, out/nb, in/nb], got \(w)")
            }
            guard nb >= 1, q >= 1, p >= 1 else { throw ShapeError("blockdiag_matmul: empty weight \(w)") }
            guard p == (n + nb - 1) / nb else {
                throw ShapeError("blockdiag_matmul: input has \(n) features; \(nb) block(s) of \(p) inputs need ceil(\(n)/\(nb)) = \((n + nb - 1) / nb)")
            }
            guard m >= 1, m <= nb * q, (m + nb - 1) / nb == q else {
                throw ShapeError("blockdiag_matmul: \(m) output features do not fit \(nb) block(s) of \(q) outputs")
            }
            return x.with(shape: Array(x.shape.dropLast()) + [m])

        case .unary, .scale, .shift:
            try need(1...1)
            try f32(operands[0], "operand")
            return operands[0]

        case .binary:
            try need(2...2)
            let a = operands[0], b = operands[1]
            guard a.dtype == b.dtype else { throw ShapeError("\(mnemonic): element types differ: \(a) vs \(b)") }
            let shape = try broadcastShapes(a.shape, b.shape)
            return TensorType(a.dtype, shape, batched: a.batched || b.batched)

        case .layerNorm(let eps):
            try need(3...3)
            let x = operands[0]
            try f32(x, "input")
            guard eps > 0 else { throw ShapeError("layer_norm: eps must be positive, got \(eps)") }
            guard let d = x.shape.last else { throw ShapeError("layer_norm: input must have rank ≥ 1") }
            for (i, p) in operands.dropFirst().enumerated() {
                guard p.shape == [d], !p.batched, p.dtype == .f32 else {
                    throw ShapeError("layer_norm: \(i == 0 ? "gamma" : "beta") must be f32[\(d)], got \(p)")
                }
            }
            return x

        case .reduce(_, let axis):
            try need(1...1)
            let x = operands[0]
            try f32(x, "input")
            try axisOK(axis, x)
            var s = x.shape; s.remove(at: axis)
            return x.with(shape: s)

        case .gather:
            try need(2...2)
            let table = operands[0], ids = operands[1]
            try f32(table, "table"); try unbatched(table, "the table")
            guard table.rank == 2 else { throw ShapeError("gather: table must be [rows, dim], got \(table)") }
            guard ids.dtype == .i32 else { throw ShapeError("gather: ids must be i32, got \(ids)") }
            return TensorType(.f32, ids.shape + [table.shape[1]], batched: ids.batched)

        case .shortConv(let taps, let layout):
            try need(2...3)
            let x = operands[0], w = operands[1]
            try f32(x, "input")
            guard taps >= 1 else { throw ShapeError("short_conv: taps must be ≥ 1") }
            guard x.rank >= 2 else {
                throw ShapeError("short_conv: input must be [..., \(layout == .channelsFirst ? "channels, length" : "length, channels")], got \(x)")
            }
            let c = layout.channelsAndLength(of: x.shape).channels
            guard w.shape == [c, taps], !w.batched else { throw ShapeError("short_conv: weight must be f32[\(c),\(taps)], got \(w)") }
            if operands.count == 3 {
                guard operands[2].shape == [c], !operands[2].batched else { throw ShapeError("short_conv: bias must be f32[\(c)], got \(operands[2])") }
            }
            return x

        case .longConv(let bidirectional, let hasSkip):
            let expected = 2 + (bidirectional ? 1 : 0) + (hasSkip ? 1 : 0)
            try need(expected...expected)
            let x = operands[0]
            try f32(x, "input")
            guard x.rank >= 2 else { throw ShapeError("long_conv: input must be [..., channels, length], got \(x)") }
            let h = x.shape[x.rank - 2], l = x.shape[x.rank - 1]
            let kernels = bidirectional ? [operands[1], operands[2]] : [operands[1]]
            for (i, k) in kernels.enumerated() {
                guard k.shape == [h, l], !k.batched, k.dtype == .f32 else {
                    throw ShapeError("long_conv: \(i == 0 ? "forward" : "reverse") kernel must be f32[\(h),\(l)], got \(k)")
                }
            }
            if hasSkip {
                let d = operands[expected - 1]
                guard d.shape == [h], !d.batched, d.dtype == .f32 else { throw ShapeError("long_conv: skip D must be f32[\(h)], got \(d)") }
            }
            return x

        case .monarchConv(let factors, let preGate, let postGate, let residual, let layout, let inputConv):
            if let inputConv {
                return try MonarchSpectrumOrder.resultType(operands, factors: factors, gated: [preGate, postGate, residual],
                                                           layout: layout, inputConv: inputConv)
            }
            return try MonarchSpectrumOrder.resultType(operands, factors: factors, gated: [preGate, postGate, residual], layout: layout)

        case .transpose(let perm):
            try need(1...1)
            let x = operands[0]
            guard perm.count == x.rank, Set(perm) == Set(0..<x.rank) else {
                throw ShapeError("transpose: \(perm) is not a permutation of the \(x.rank) static axes of \(x)")
            }
            return x.with(shape: perm.map { x.shape[$0] })

        case .reshape:
            try need(1...1)
            let x = operands[0]
            guard let to = reshapeTo else { throw ShapeError("reshape needs a target shape") }
            guard let count = TensorType.checkedProduct(to), count == x.elementCount else {
                throw ShapeError("reshape: cannot reshape \(x) (\(x.elementCount) elements) to \(to)")
            }
            return x.with(shape: to)

        case .slice(let axis, let start, let end):
            try need(1...1)
            let x = operands[0]
            try axisOK(axis, x)
            guard start >= 0, start < end, end <= x.shape[axis] else {
                throw ShapeError("slice: \(start)..<\(end) is outside 0..<\(x.shape[axis]) on axis \(axis) of \(x)")
            }
            var s = x.shape; s[axis] = end - start
            return x.with(shape: s)

        case .concat(let axis):
            guard let first = operands.first else { throw ShapeError("concat needs at least one operand") }
            try axisOK(axis, first)
            var total = 0
            for t in operands {
                guard t.dtype == first.dtype, t.rank == first.rank,
                      (0..<t.rank).allSatisfy({ $0 == axis || t.shape[$0] == first.shape[$0] }) else {
                    throw ShapeError("concat: \(t) does not match \(first) outside axis \(axis)")
                }
                total += t.shape[axis]
            }
            var s = first.shape; s[axis] = total
            return TensorType(first.dtype, s, batched: operands.contains { $0.batched })

        case .cast(let to):
            try need(1...1)
            return operands[0].with(dtype: to)
        case .glu:
            return try FusedShapeRules.glu(operands)
        case .addLayerNorm(let eps):
            return try FusedShapeRules.addLayerNorm(operands, eps: eps)
        case .fusedMatmul(let m, let epilogue):
            return try FusedShapeRules.fusedMatmul(operands, outFeatures: m, epilogue: epilogue)
        }
    }
}

/// Right-aligned numpy broadcasting of two static shapes.
public func broadcastShapes(_ a: [Int], _ b: [Int]) throws(ShapeError) -> [Int] {
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        guard da == db || da == 1 || db == 1 else {
            throw ShapeError("shapes \(a) and \(b) do not broadcast (dimension \(i): \(da) vs \(db))")
        }
        out[i] = da == 1 ? db : da
    }
    return out
}
