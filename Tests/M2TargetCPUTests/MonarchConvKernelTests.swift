import Foundation
import M2IR
import M2TargetCPU
import M2Weights
import Testing

/// The fused monarch_conv kernel (Templates/cpu/monarch_conv*.c.tmpl) against the Float64 reference loops, for
/// one to four levels, factors that are not powers of two, channel counts that leave a partial lane group, and
/// every combination of gates; batch 3, so several work units and arena slots are in use. With a Hermitian spectrum
/// (a real kernel, as every M2 long convolution has) the kernel pairs sequences 0 and 1 into one complex transform
/// and runs sequence 2 as pairs of full channel groups (each with its own kernel) plus the groups left over, so
/// every path is checked; the batch-1 cases have only the channel pairs.
@Suite("CPU target: fused monarch_conv kernel", .serialized)
struct MonarchConvKernelTests {
    struct Case: CustomStringConvertible, Sendable {
        var channels: Int
        var factors: [Int]
        var gates: (pre: Bool, post: Bool, residual: Bool)
        var layout: SequenceLayout = .channelsFirst
        /// A fused input convolution: taps and the segments (of H channels) of z that are x, g1, g2.
        var inputConv: MonarchInputConv? = nil
        /// The spectrum of a random real kernel (Hermitian: the kernel pairs sequences) instead of random values.
        var hermitian = false
        var batch = 3
        var description: String {
            "H=\(channels) factors=\(factors.map(String.init).joined(separator: "x")) pre=\(gates.pre) post=\(gates.post) residual=\(gates.residual)"
                + (layout == .channelsLast ? " channels-last" : "")
                + (inputConv.map { " input conv \($0.taps) taps, segments \($0.segments)" } ?? "")
                + (hermitian ? " real kernel (paired)" : "") + (batch == 3 ? "" : " batch \(batch)")
        }
    }

    static let cases: [Case] = [
        Case(channels: 5, factors: [8], gates: (false, false, false)),
        Case(channels: 3, factors: [64], gates: (true, true, true)),
        Case(channels: 20, factors: [8, 4], gates: (true, false, false)),
        Case(channels: 17, factors: [12, 16], gates: (false, true, true)),
        Case(channels: 16, factors: [4, 3, 8], gates: (true, true, false)),
        Case(channels: 9, factors: [2, 4, 2, 4], gates: (false, false, true)),
        // Channels-last [L, H]: full lane groups (contiguous vector loads) and a partial one (lane loop).
        Case(channels: 32, factors: [8, 4], gates: (true, true, true), layout: .channelsLast),
        Case(channels: 20, factors: [4, 3, 8], gates: (true, false, true), layout: .channelsLast),
        Case(channels: 5, factors: [8], gates: (false, true, false), layout: .channelsLast),
        // M2's mixer: x, g1, g2 are segments 2, 0, 1 of one 3-tap short convolution of the in-projection's rows.
        Case(channels: 32, factors: [8, 4], gates: (true, true, true), layout: .channelsLast,
             inputConv: MonarchInputConv(taps: 3, segments: [2, 0, 1])),
        Case(channels: 20, factors: [4, 2, 4], gates: (true, false, false), layout: .channelsLast,
             inputConv: MonarchInputConv(taps: 2, segments: [0, 3])),
        Case(channels: 5, factors: [16], gates: (false, true, true), layout: .channelsLast,
             inputConv: MonarchInputConv(taps: 4, segments: [1, 1])),
    ]

    /// Cases whose spectrum is the DFT of a real kernel: the paired path, at one level (codelet and matrix), first
    /// levels of every codelet radix and of a matrix factor, both layouts, and the fused input convolution.
    static let hermitianCases: [Case] = [
        Case(channels: 5, factors: [8], gates: (false, true, false), hermitian: true),
        Case(channels: 3, factors: [64], gates: (true, true, true), hermitian: true),
        Case(channels: 20, factors: [8, 4], gates: (true, false, false), hermitian: true),
        Case(channels: 17, factors: [12, 16], gates: (false, true, true), hermitian: true),
        Case(channels: 9, factors: [2, 4, 2, 4], gates: (false, false, true), hermitian: true),
        Case(channels: 33, factors: [16, 8, 2], gates: (true, true, true), hermitian: true),
        Case(channels: 32, factors: [4, 3, 8], gates: (true, true, true), layout: .channelsLast, hermitian: true),
        Case(channels: 32, factors: [8, 4], gates: (true, true, true), layout: .channelsLast,
             inputConv: MonarchInputConv(taps: 3, segments: [2, 0, 1]), hermitian: true),
        Case(channels: 20, factors: [4, 2, 4], gates: (true, false, false), layout: .channelsLast,
             inputConv: MonarchInputConv(taps: 2, segments: [0, 3]), hermitian: true),
        Case(channels: 5, factors: [16], gates: (false, true, true), layout: .channelsLast,
             inputConv: MonarchInputConv(taps: 4, segments: [1, 1]), hermitian: true),
    ]

    /// One sequence, so only channel groups pair (two full groups per unit, each its own kernel; a block of the last
    /// level with the block of its negative frequencies): one level, two to four levels, a matrix factor, an odd
    /// count of full groups and a partial group left over, both layouts and the input convolution.
    static let channelPairedCases: [Case] = [
        Case(channels: 48, factors: [8], gates: (true, true, true), hermitian: true, batch: 1),
        Case(channels: 40, factors: [4, 8], gates: (false, true, false), hermitian: true, batch: 1),
        Case(channels: 32, factors: [2, 4, 2, 4], gates: (true, false, true), hermitian: true, batch: 1),
        Case(channels: 33, factors: [12, 16], gates: (false, false, false), hermitian: true, batch: 1),
        Case(channels: 64, factors: [4, 3, 8], gates: (true, true, true), layout: .channelsLast,
             inputConv: MonarchInputConv(taps: 3, segments: [2, 0, 1]), hermitian: true, batch: 1),
        Case(channels: 32, factors: [4, 4, 8], gates: (true, false, false), layout: .channelsLast, hermitian: true,
             batch: 1),
    ]

    /// [2, H, N] in the kernel's digit-reversed positions: 1/N · DFT_N of a random real length-N kernel per channel.
    static func realKernelSpectrum(channels h: Int, factors: [Int], seed: Int) -> [Double] {
        let n = factors.reduce(1, *)
        let kernel = TestModels.values(h * n, seed: seed).map(Double.init)
        var spectrum = [Double](repeating: 0, count: 2 * h * n)
        for (position, frequency) in MonarchSpectrumOrder.frequencies(factors: factors).enumerated() {
            for c in 0..<h {
                var (re, im) = (0.0, 0.0)
                for t in 0..<n {
                    let angle = -2 * Double.pi * Double(frequency * t % n) / Double(n)
                    re += kernel[c * n + t] * cos(angle)
                    im += kernel[c * n + t] * sin(angle)
                }
                spectrum[c * n + position] = re / Double(n)
                spectrum[(h + c) * n + position] = im / Double(n)
            }
        }
        return spectrum
    }

    static func model(_ c: Case) throws -> TestModels.Model {
        let l = c.factors.reduce(1, *) / 2, h = c.channels, batch = c.batch
        var b = GraphBuilder(name: "mc", attributes: ["seq_len": .int(l)])
        let dims = c.layout == .channelsFirst ? [h, l] : [l, h]
        var operands: [ValueID]
        var inputs: [String: [Double]]
        var named = [("g1", c.gates.pre), ("g2", c.gates.post), ("r", c.gates.residual)]
        if let conv = c.inputConv {
            // z holds max(segments) + 1 segments of H channels; W and the bias are constants.
            let zc = (conv.segments.max()! + 1) * h
            operands = [try b.input("z", type: .f32([l, zc], batched: true)),
                        try b.constant(TestModels.values(zc * conv.taps, seed: 5).map(Double.init), shape: [zc, conv.taps]),
                        try b.constant(TestModels.values(zc, seed: 6).map(Double.init), shape: [zc])]
            inputs = ["z": TestModels.values(batch * l * zc, seed: 1).map(Double.init)]
            named = [("r", c.gates.residual)]
        } else {
            operands = [try b.input("x", type: .f32(dims, batched: true))]
            inputs = ["x": TestModels.values(batch * h * l, seed: 1).map(Double.init)]
        }
        for (name, present) in named where present {
            operands.append(try b.input(name, type: .f32(dims, batched: true)))
            inputs[name] = TestModels.values(batch * h * l, seed: inputs.count + 1).map(Double.init)
        }
        let spectrum = c.hermitian ? realKernelSpectrum(channels: h, factors: c.factors, seed: 9)
            : TestModels.values(2 * h * 2 * l, seed: 9).map { Double($0) / Double(l) }
        operands.append(try b.constant(spectrum, shape: [2, h, 2 * l]))
        let y = try b.add(.monarchConv(factors: c.factors, preGate: c.gates.pre, postGate: c.gates.post, residual: c.gates.residual,
                                       layout: c.layout, inputConv: c.inputConv), operands)
        b.output("y", y)
        return TestModels.Model(graph: b.graph, weights: WeightStore([InMemoryTensors(origin: "test")]), inputs: inputs, batch: batch)
    }

    func check(_ c: Case, compiler: String, cflags: String = CHarness.strict, openMP: Bool = true) throws {
        let model = try Self.model(c)
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "mc")
        // The emitter pairs sequences exactly when the spectrum is Hermitian.
        let source = String(decoding: try #require(library.files["mc.c"]), as: UTF8.self)
        #expect(source.contains("two sequences per unit") == c.hermitian, "\(c): pairing does not follow the spectrum")
        let harness = try CHarness(library, compiler: compiler, cflags: cflags, openMP: openMP)
        defer { harness.remove() }
        let exe = try harness.driver(TestModels.driver(model, library: "mc"))
        let (status, output) = try harness.run(exe, [harness.weightsPath])
        #expect(status == 0, "driver failed: \(output)")
        let expected = try ReferenceEvaluator(graph: model.graph, weights: model.weights, inputs: model.inputs,
                                              batch: model.batch).outputs()
        let actual = try #require(parseOutputs(output)["y"], "no output y in \(output)")
        let reference = try #require(expected["y"])
        #expect(actual.count == reference.count)
        let scale = max(1e-30, reference.map(abs).max() ?? 0)
        let error = zip(actual, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(error / scale <= 1e-5, "\(c) with \(compiler): max error \(error) relative to \(scale)")
    }

    @Test(arguments: cases)
    func matchesReference(_ c: Case) throws {
        try check(c, compiler: "gcc")
    }

    @Test(arguments: hermitianCases)
    func pairedMatchesReference(_ c: Case) throws {
        try check(c, compiler: "gcc")
    }

    @Test(arguments: channelPairedCases)
    func channelPairedMatchesReference(_ c: Case) throws {
        try check(c, compiler: "gcc")
    }

    @Test("paired units with clang, and with gcc under ASan + UBSan")
    func pairedWithOtherCompilersAndSanitizers() throws {
        if CHarness.hasCompiler("clang") { try check(Self.hermitianCases[5], compiler: "clang") }
        try check(Self.hermitianCases[3], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        try check(Self.hermitianCases[7], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        if CHarness.hasCompiler("clang") { try check(Self.channelPairedCases[4], compiler: "clang") }
        try check(Self.channelPairedCases[1], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        try check(Self.channelPairedCases[4], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
    }

    @Test("clang, and gcc without OpenMP under ASan + UBSan")
    func otherCompilersAndSanitizers() throws {
        if CHarness.hasCompiler("clang") { try check(Self.cases[4], compiler: "clang") }
        try check(Self.cases[3], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        try check(Self.cases[6], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        try check(Self.cases[7], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        try check(Self.cases[9], compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        if CHarness.hasCompiler("clang") { try check(Self.cases[10], compiler: "clang") }
    }
}
