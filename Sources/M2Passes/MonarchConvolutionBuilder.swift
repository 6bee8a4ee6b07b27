import M2IR
import M2Support

/// Emits the primitive ops of one long convolution in Monarch-FFT form (docs/MONARCH_FFT.md):
/// forward Monarch DFT of the real, zero-padded input, product with the constant spectrum (stored in the
/// layout the forward transform produces), inverse Monarch DFT keeping the first L real outputs.
///
/// The tensor is viewed as [prefix…, H, d_1, …, d_p] with one axis per DFT digit; `layout` tracks which
/// digit each axis holds and whether it is still time (n_i) or already frequency (k_i). Every stage
/// contracts the last axis (`blockdiag_matmul` with a dense [out, in] matrix), so a stage first moves its
/// digit last with one `transpose`; twiddles multiply the trailing axes, broadcast over the rest.
struct MonarchConvolutionBuilder {
    /// One axis of the digit view.
    struct DigitAxis: Equatable {
        var digit: Int
        var frequency: Bool
    }

    /// A complex tensor as two real ones.
    struct Complex {
        var re: ValueID
        var im: ValueID
    }

    let plan: MonarchFactorization
    /// Static dims before [H, L] (usually none: the batch is implicit).
    let prefix: [Int]
    let channels: Int
    let location: SourceLocation?
    let name: String?
    private(set) var ops: [Op] = []
    private var types: [ValueID: TensorType] = [:]
    private var nextValue: Int
    private var layout: [DigitAxis]

    init(plan: MonarchFactorization, inputType: TensorType, firstFreeValue: Int, location: SourceLocation?, name: String?) {
        self.plan = plan
        prefix = Array(inputType.shape.dropLast(2))
        channels = inputType.shape[inputType.rank - 2]
        self.location = location
        self.name = name
        nextValue = firstFreeValue
        layout = (0..<plan.levels).map { DigitAxis(digit: $0, frequency: false) }
    }

    /// The last value number used; the pass reserves it in the graph.
    var lastValue: Int { nextValue - 1 }

    /// Frequency held at each position of the forward transform's output layout: base-N_i digit reversal
    /// (position k_1·N_2⋯N_p + … + k_p ↔ frequency k_1 + N_1·k_2 + N_1N_2·k_3 + …).
    var outputFrequencyOrder: [Int] {
        var weights = [Int](repeating: 1, count: plan.levels)
        for i in 1..<max(1, plan.levels) { weights[i] = weights[i - 1] * plan.factors[i - 1] }
        return multiIndices(of: forwardOutputLayout).map { index in
            zip(forwardOutputLayout, index).reduce(0) { $0 + weights[$1.0.digit] * $1.1 }
        }
    }

    private var forwardOutputLayout: [DigitAxis] { (0..<plan.levels).map { DigitAxis(digit: $0, frequency: true) } }

    /// Lowers `y = long_conv(x)` given the spectrum already permuted into `outputFrequencyOrder`.
    /// The final op defines `result` (the original op's value), so users need no rewriting.
    mutating func lower(input x: ValueID, inputType: TensorType, spectrum: (re: [Double], im: [Double]),
                        result: ValueID) throws(ShapeError) -> [Op] {
        types[x] = inputType
        let p = plan.levels
        let first = plan.factors[0]

        // Forward: stage 1 on the real input, reading only the non-zero half of digit n_1.
        var real = try emit(.reshape, [x], reshapeTo: shape(of: layout), stage: "fwd1")
        real = try arrange(real, to: layout.filter { $0.digit != 0 } + [layout[0]], stage: "fwd1")
        let firstForward = MonarchDFT.matrix(size: first, rows: first, columns: first / 2, inverse: false)
        var value = Complex(re: try matmul(real, firstForward.re, [first, first / 2], stage: "fwd1"),
                            im: try matmul(real, firstForward.im, [first, first / 2], stage: "fwd1"))
        layout[p - 1] = DigitAxis(digit: 0, frequency: true)
        if p > 1 { value = try twiddle(value, level: 0, inverse: false) }
        for i in 1..<p {
            let time = layout.filter { !$0.frequency && $0.digit != i }
            value = try arrange(value, to: layout.filter(\.frequency) + time + [DigitAxis(digit: i, frequency: false)], stage: "fwd\(i + 1)")
            value = try complexMatmul(value, MonarchDFT.matrix(size: plan.factors[i], rows: plan.factors[i], columns: plan.factors[i], inverse: false),
                                      size: plan.factors[i], stage: "fwd\(i + 1)")
            layout[p - 1] = DigitAxis(digit: i, frequency: true)
            if i < p - 1 { value = try twiddle(value, level: i, inverse: false) }
        }

        // Product with the spectrum, stored in exactly this layout: no permutation is materialised.
        let spectrumShape = [channels] + layout.map(size)
        value = try complexMultiply(value, by: Complex(re: try constant(spectrum.re, spectrumShape, stage: "product"),
                                                       im: try constant(spectrum.im, spectrumShape, stage: "product")),
                                    stage: "product")

        // Inverse: stages p…2 complex, each preceded (except the first) by its conjugate twiddle.
        for i in stride(from: p - 1, through: 1, by: -1) {
            if i < p - 1 { value = try twiddle(value, level: i, inverse: true) }
            value = try bringLast(DigitAxis(digit: i, frequency: true), value, stage: "inv\(i + 1)")
            value = try complexMatmul(value, MonarchDFT.matrix(size: plan.factors[i], rows: plan.factors[i], columns: plan.factors[i], inverse: true),
                                      size: plan.factors[i], stage: "inv\(i + 1)")
            layout[p - 1] = DigitAxis(digit: i, frequency: false)
        }
        // Stage 1: only outputs n_1 < N_1/2 (the first L samples), and only their real part:
        // Re(G·b) = G_re·b_re − G_im·b_im, the minus folded into the constant.
        if p > 1 { value = try twiddle(value, level: 0, inverse: true) }
        value = try bringLast(DigitAxis(digit: 0, frequency: true), value, stage: "inv1")
        let lastInverse = MonarchDFT.matrix(size: first, rows: first / 2, columns: first, inverse: true)
        let partRe = try matmul(value.re, lastInverse.re, [first / 2, first], stage: "inv1")
        let partIm = try matmul(value.im, lastInverse.im.map { 0 - $0 }, [first / 2, first], stage: "inv1")
        real = try emit(.binary(.add), [partRe, partIm], stage: "inv1")
        layout[p - 1] = DigitAxis(digit: 0, frequency: false)
        real = try arrange(real, to: (0..<p).map { DigitAxis(digit: $0, frequency: false) }, stage: "inv1")
        _ = try emit(.reshape, [real], reshapeTo: prefix + [channels, plan.sequenceLength], stage: "inv1", result: result)
        return ops
    }

    // MARK: - Stages

    /// Moves `axis` to the end, keeping the other axes' order.
    private mutating func bringLast(_ axis: DigitAxis, _ v: Complex, stage: String) throws(ShapeError) -> Complex {
        try arrange(v, to: layout.filter { $0 != axis } + [axis], stage: stage)
    }

    /// ω_{S}^{±k_i·m} over the trailing axes {k_i, n_{i+1}, …, n_p} (S = N_i⋯N_p, m the time index inside the
    /// length-S/N_i sub-transform), in whatever order those axes currently have.
    private mutating func twiddle(_ v: Complex, level i: Int, inverse: Bool) throws(ShapeError) -> Complex {
        let trailing = Array(layout.suffix(plan.levels - i))
        precondition(Set(trailing.map(\.digit)) == Set(i..<plan.levels) && trailing.allSatisfy { $0.frequency == ($0.digit == i) },
                     "twiddle axes must trail the layout")
        let span = plan.factors[i...].reduce(1, *)
        // Place value of each time digit n_j (j > i) in m = Σ n_j·N_{j+1}⋯N_p.
        var placeValue = [Int](repeating: 0, count: plan.levels)
        var s = 1
        for j in stride(from: plan.levels - 1, to: i, by: -1) { placeValue[j] = s; s *= plan.factors[j] }
        var re: [Double] = [], im: [Double] = []
        for index in multiIndices(of: trailing) {
            var k = 0, m = 0
            for (axis, digit) in zip(trailing, index) {
                if axis.frequency { k = digit } else { m += digit * placeValue[axis.digit] }
            }
            let w = MonarchDFT.root(k * m, of: span, inverse: inverse)
            re.append(w.re)
            im.append(w.im)
        }
        let stage = "\(inverse ? "inv" : "fwd")\(i + 1).twiddle"
        let shape = trailing.map(size)
        return try complexMultiply(v, by: Complex(re: try constant(re, shape, stage: stage), im: try constant(im, shape, stage: stage)),
                                   stage: stage)
    }

    /// (a + ib)·(c + id) with a constant right-hand side broadcast over the leading axes.
    private mutating func complexMultiply(_ x: Complex, by w: Complex, stage: String) throws(ShapeError) -> Complex {
        let rr = try emit(.binary(.mul), [x.re, w.re], stage: stage)
        let ii = try emit(.binary(.mul), [x.im, w.im], stage: stage)
        let ri = try emit(.binary(.mul), [x.re, w.im], stage: stage)
        let ir = try emit(.binary(.mul), [x.im, w.re], stage: stage)
        return Complex(re: try emit(.binary(.sub), [rr, ii], stage: stage), im: try emit(.binary(.add), [ri, ir], stage: stage))
    }

    /// Length-n DFTs of the last axis with a complex [n, n] matrix: 4 real GEMMs, a subtraction and an addition.
    private mutating func complexMatmul(_ x: Complex, _ f: (re: [Double], im: [Double]), size n: Int, stage: String) throws(ShapeError) -> Complex {
        let rr = try matmul(x.re, f.re, [n, n], stage: stage)
        let ii = try matmul(x.im, f.im, [n, n], stage: stage)
        let ri = try matmul(x.re, f.im, [n, n], stage: stage)
        let ir = try matmul(x.im, f.re, [n, n], stage: stage)
        return Complex(re: try emit(.binary(.sub), [rr, ii], stage: stage), im: try emit(.binary(.add), [ri, ir], stage: stage))
    }

    private mutating func matmul(_ x: ValueID, _ matrix: [Double], _ shape: [Int], stage: String) throws(ShapeError) -> ValueID {
        let w = try constant(matrix, shape, stage: stage)
        return try emit(.blockDiagMatmul(outFeatures: shape[0]), [x, w], stage: stage)
    }

    // MARK: - Layout

    private func size(_ axis: DigitAxis) -> Int {
        axis.digit == 0 && !axis.frequency ? plan.factors[0] / 2 : plan.factors[axis.digit]
    }

    private func shape(of axes: [DigitAxis]) -> [Int] { prefix + [channels] + axes.map(size) }

    /// Transposes so the digit axes appear in `target` order (no op when they already do).
    private mutating func arrange(_ v: ValueID, to target: [DigitAxis], stage: String) throws(ShapeError) -> ValueID {
        let moved = try transpose(v, to: target, stage: stage)
        layout = target
        return moved
    }

    private mutating func arrange(_ v: Complex, to target: [DigitAxis], stage: String) throws(ShapeError) -> Complex {
        let moved = Complex(re: try transpose(v.re, to: target, stage: stage), im: try transpose(v.im, to: target, stage: stage))
        layout = target
        return moved
    }

    private mutating func transpose(_ v: ValueID, to target: [DigitAxis], stage: String) throws(ShapeError) -> ValueID {
        guard target != layout else { return v }
        let fixed = prefix.count + 1
        var perm = Array(0..<fixed)
        for axis in target {
            guard let from = layout.firstIndex(of: axis) else { throw ShapeError("lower-long-conv: digit axis \(axis) is not in the layout") }
            perm.append(fixed + from)
        }
        return try emit(.transpose(perm: perm), [v], stage: stage)
    }

    /// Row-major multi-indices over the sizes of `axes`.
    private func multiIndices(of axes: [DigitAxis]) -> [[Int]] {
        var result: [[Int]] = [[]]
        for axis in axes { result = result.flatMap { head in (0..<size(axis)).map { head + [$0] } } }
        return result
    }

    // MARK: - Emission

    private mutating func constant(_ values: [Double], _ shape: [Int], stage: String) throws(ShapeError) -> ValueID {
        try emit(.constant(ConstantData(values)), [], leafType: .f32(shape), stage: stage)
    }

    private mutating func emit(_ kind: OpKind, _ operands: [ValueID], reshapeTo: [Int]? = nil, leafType: TensorType? = nil,
                               stage: String, result: ValueID? = nil) throws(ShapeError) -> ValueID {
        var operandTypes: [TensorType] = []
        for v in operands {
            guard let t = types[v] else { throw ShapeError("lower-long-conv: operand \(v) was not emitted before its use") }
            operandTypes.append(t)
        }
        let type = try kind.inferType(operandTypes, reshapeTo: reshapeTo, leafType: leafType)
        let value: ValueID
        if let result { value = result } else { value = ValueID(nextValue); nextValue += 1 }
        types[value] = type
        ops.append(Op(kind: kind, operands: operands, result: value, type: type, location: location, name: name,
                      annotations: ["monarch": .string(plan.description), "stage": .string(stage)]))
        return value
    }
}
