import Foundation
import M2Passes
@testable import M2TargetCUDA
import Testing

@Suite struct MonarchConvPlanTests {
    static func kernel(length: Int, factors: [Int], precision: CUDAPrecision = .fp32, channels: Int = 768,
                       gates: Bool = true) throws(CUDAEmitError) -> CUDAMonarchConvKernel {
        let templates: CUDATemplateSet
        do { templates = try MonarchConvTemplates.load() } catch { throw .template(name: "Templates/cuda", reason: "\(error)") }
        return try CUDAMonarchConvKernel(channels: channels, length: length, factors: factors, preGate: gates,
                                         postGate: gates, residual: gates, precision: precision, templates: templates)
    }

    @Test("every length the factor chooser accepts up to L = 32768 gets a plan within the shared-memory limit")
    func everyChosenLengthFits() throws {
        let lengths = Array(stride(from: 1, through: 32768, by: 61)) + (0...15).map { 1 << $0 } + [96, 1000, 3000, 12288, 24576]
        var planned = 0
        for l in lengths where MonarchFactorization.exists(for: 2 * l, allowed: MonarchFactorization.defaultAllowedFactors) {
            let factors = try MonarchFactorization.cheapest(for: 2 * l).factors
            for precision in CUDAPrecision.allCases {
                let conv = try Self.kernel(length: l, factors: factors, precision: precision)
                #expect(conv.plan.maxSharedBytes <= CUDAMonarchConvKernel.defaultSharedMemoryLimit, "L = \(l) \(precision)")
                #expect(conv.plan.passes.count == (conv.plan.split == 0 ? 1 : 2 * conv.plan.split + 1))
                for (i, width) in conv.plan.tileWidths.enumerated() where i < conv.plan.split {
                    #expect(width >= 1 && conv.plan.placeValues[i] % width == 0)
                }
            }
            planned += 1
        }
        #expect(planned > 100)
    }

    @Test("M2-BERT-base lengths: fused up to L = 8192, multi-pass with scratch beyond")
    func bertLengths() throws {
        for l in [128, 512, 2048, 8192] {
            let conv = try Self.kernel(length: l, factors: try MonarchFactorization.cheapest(for: 2 * l).factors, precision: .bf16)
            #expect(conv.plan.split == 0 && conv.scratchBytesPerItem == 0, "L = \(l)")
        }
        for l in [16384, 32768] {
            let conv = try Self.kernel(length: l, factors: try MonarchFactorization.cheapest(for: 2 * l).factors, precision: .bf16)
            #expect(conv.plan.split >= 1 && conv.scratchBytesPerItem == 768 * 2 * l * 8, "L = \(l)")
        }
    }

    @Test("bad factorizations, lengths and prefixes are errors naming the problem")
    func rejectsBadInput() throws {
        #expect(throws: CUDAEmitError.self) { try Self.kernel(length: 64, factors: [8, 8]) }     // N = 128 ≠ 64
        #expect(throws: CUDAEmitError.self) { try Self.kernel(length: 64, factors: [1, 128]) }
        #expect(throws: CUDAEmitError.self) { try Self.kernel(length: 63, factors: [9, 14]) }    // odd first factor
        do {
            _ = try Self.kernel(length: 128, factors: [2, 128])
            Issue.record("a factor above 64 was accepted")
        } catch {
            guard case .unsupported(let op, let reason) = error else { Issue.record("\(error)"); return }
            #expect(op == "monarch_conv" && reason.contains("2x128"))
        }
        let conv = try Self.kernel(length: 64, factors: [16, 8])
        #expect(throws: CUDAEmitError.template(name: "monarch_conv.cu.tmpl", reason: "kernel prefix '1conv' is not a C identifier")) {
            try conv.deviceCode(prefix: "1conv")
        }
    }

    @Test("launch: one launch per pass in order, absent operands are null, scratch only for split plans")
    func launchText() throws {
        let fused = try Self.kernel(length: 512, factors: [16, 8, 8], gates: false)
        let text = fused.launch(prefix: "conv3", x: "bufs[1]", g1: "bufs[2]", g2: nil, residual: nil, spectrum: "w_spec",
                                tables: "w_tables", output: "bufs[4]", scratch: "scratch", batch: "batch", stream: "s")
        #expect(text.components(separatedBy: "<<<").count == 2)
        #expect(text.contains("(const float *)(bufs[1])") && text.contains("(const float *)(nullptr)"))
        #expect(text.contains("(float2 *)(nullptr)") && text.contains("conv3_pass<<<dim3(1, 768, (unsigned)(batch)), 256, 8448, s>>>"))

        let split = try Self.kernel(length: 32768, factors: try MonarchFactorization.cheapest(for: 65536).factors)
        let long = split.launch(prefix: "c", x: "x", g1: "a", g2: "b", residual: "r", spectrum: "k", tables: "t",
                                output: "y", scratch: "scratch", batch: "n", stream: "s")
        let kinds = split.plan.passes.map(\.kind)
        #expect(kinds.first == .forwardTile && kinds.last == .inverseTile && kinds.contains(.rows))
        #expect(long.components(separatedBy: "<<<").count == split.plan.passes.count + 1)
        #expect(long.contains("(float2 *)(scratch)") && long.contains("cudaFuncSetAttribute(c_pass, cudaFuncAttributeMaxDynamicSharedMemorySize, \(split.plan.maxSharedBytes))"))
    }

    @Test("the ω_N table holds exact quarter turns")
    func tables() throws {
        let conv = try Self.kernel(length: 96, factors: [12, 16])
        let t = conv.tables
        #expect(t.count == 2 * 192)
        #expect(t[0] == 1 && t[1] == 0 && t[2 * 48] == 0 && t[2 * 48 + 1] == -1 && t[2 * 96] == -1)
    }

    @Test("docs/CUDA-MONARCH.md holds the current plan table")
    func docTable() throws {
        let doc = MonarchConvTemplates.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/CUDA-MONARCH.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        let table = try MonarchConvPlan.markdownTable(channels: 768, sequenceLengths: [128, 512, 1024, 2048, 4096, 8192, 16384, 32768])
        #expect(text.contains(table), "expected in docs/CUDA-MONARCH.md:\n\(table)")
    }
}
