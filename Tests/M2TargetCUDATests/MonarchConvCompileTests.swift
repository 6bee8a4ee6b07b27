import Foundation
import M2Passes
@testable import M2TargetCUDA
import Testing

/// The rendered Monarch convolution kernels compile with nvcc for sm_80 and sm_90a (cubin), for every precision
/// and M2-BERT-base shapes (H = 768) at L = 128 … 32768 with the factors the compiler chooses, and ptxas reports
/// no local-memory spills. The launch code is compiled too (host side, PTX only). Skipped without nvcc.
@Suite struct MonarchConvCompileTests {
    static let lengths = [128, 512, 2048, 8192, 32768]
    static let channels = 768

    /// Every precision's kernels and their launches in one translation unit.
    static func translationUnit() throws -> String {
        let templates = try MonarchConvTemplates.load()
        var code = "#include <cuda_runtime.h>\n"
        for precision in CUDAPrecision.allCases {
            for l in lengths {
                let factors = try MonarchFactorization.cheapest(for: 2 * l).factors
                let kernel = try CUDAMonarchConvKernel(channels: channels, length: l, factors: factors, preGate: true,
                                                       postGate: true, residual: true, precision: precision,
                                                       templates: templates)
                let prefix = "conv_\(precision)_\(l)"
                code += try kernel.deviceCode(prefix: prefix)
                code += "void \(prefix)_forward(const void *x, const void *g1, const void *g2, const void *r, const float *spectrum, "
                    + "const float *tables, void *y, void *scratch, int batch, cudaStream_t stream) {\n    (void)scratch;\n"
                code += kernel.launch(prefix: prefix, x: "x", g1: "g1", g2: "g2", residual: "r", spectrum: "spectrum",
                                      tables: "tables", output: "y", scratch: kernel.scratchBytesPerItem > 0 ? "scratch" : nil,
                                      batch: "batch", stream: "stream")
                code += "}\n"
            }
        }
        return code
    }

    @Test("kernels compile to cubin for sm_80 and sm_90a without spills; launches compile")
    func compilesWithoutSpills() throws {
        let root = MonarchConvTemplates.directory.deletingLastPathComponent().deletingLastPathComponent().path
        guard let nvcc = NVCCToolchain.locate(searchRoot: root) else {
            print("MonarchConvCompileTests: nvcc not found (scripts/setup.sh installs it into .venv-cuda); skipped")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-monarch-nvcc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.translationUnit().write(to: dir.appendingPathComponent("monarch.cu"), atomically: true, encoding: .utf8)

        let launches = try nvcc.run(["-c", "-std=c++17", "-gencode", "arch=compute_80,code=compute_80",
                                     "-Xcompiler", "-Wall,-Wextra", "-Werror", "all-warnings", "-o", "host.o", "monarch.cu"],
                                    in: dir.path)
        #expect(launches.status == 0, "host/PTX build:\n\(launches.output)")
        for arch in ["sm_80", "sm_90a"] {
            let result = try nvcc.run(["-cubin", "-std=c++17", "-arch=\(arch)", "-Xptxas", "-v", "-Werror", "all-warnings",
                                       "-o", "monarch_\(arch).cubin", "monarch.cu"], in: dir.path)
            #expect(result.status == 0, "\(arch):\n\(result.output)")
            let reports = PtxasKernelReport.parse(result.output).filter { $0.kernel.contains("m2c_monarch_pass") }
            #expect(reports.count == CUDAPrecision.allCases.count, "one kernel per precision on \(arch):\n\(result.output)")
            for report in reports {
                print("MonarchConvCompileTests: \(arch) \(report.kernel): \(report.registers) registers, "
                    + "\(report.spillStoreBytes)/\(report.spillLoadBytes) B spill stores/loads, \(report.stackFrameBytes) B stack")
                #expect(!report.spills && report.stackFrameBytes == 0, "\(report)")
                #expect(report.architecture == arch)
            }
        }
    }
}
