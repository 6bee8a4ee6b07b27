import Foundation
import M2TargetCPU
import M2TargetCUDA
import Testing

/// The generated CUDA compiles with nvcc (no GPU needed): M2-BERT fixtures and M2-BERT-base at L=512, every
/// precision, SASS for sm_80 and sm_90a; the host library links; ptxas reports no spills in GEMM kernels.
/// Skipped, with a message saying so, where nvcc is missing (CI installs it with scripts/setup.sh).
@Suite("CUDA code compiles with nvcc", .serialized, .enabled(if: CUDATestSupport.toolchain != nil, CUDATestSupport.missingNVCC))
struct CUDACompileTests {
    static let architectures = CUDAEmitOptions.defaultArchitectures

    /// Emits `model` and compiles its .cu to one cubin per architecture with the ptxas report; returns the
    /// reports and the directory.
    func compileToCubins(_ model: String, _ precision: CUDAPrecision) throws -> (reports: [PtxasKernelReport], directory: String) {
        let toolchain = try #require(CUDATestSupport.toolchain)
        let (graph, weights) = try CUDATestSupport.model(model, precision: precision)
        let name = "m2_\(model)"
        let lib = try CUDAEmitter.emit(graph: graph, weights: weights, name: name, options: .init(precision: precision))
        let dir = try CUDATestSupport.scratchDirectory("\(model)-\(precision.rawValue)")
        try lib.write(to: dir)
        var reports: [PtxasKernelReport] = []
        for arch in Self.architectures {
            let output = try CUDATestSupport.nvcc(toolchain, ["-std=c++17", "-O3", "-arch=\(arch)", "-cubin", "-Xptxas", "-v",
                                                              "-Xcompiler", "-Wall,-Wextra", "\(name).cu", "-o", "\(name).\(arch).cubin"], in: dir)
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(name).\(arch).cubin"), "no cubin for \(arch)")
            #expect(!output.contains("warning"), "nvcc warnings for \(model) \(precision) \(arch):\n\(output.suffix(3000))")
            reports += PtxasKernelReport.parse(output)
        }
        return (reports, dir)
    }

    @Test(arguments: ["tiny", "small", "base"], CUDAPrecision.allCases)
    func compilesForEveryArchitectureWithoutGemmSpills(_ model: String, _ precision: CUDAPrecision) throws {
        let (reports, dir) = try compileToCubins(model, precision)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gemms = reports.filter { $0.kernel.contains("m2_gemm") }
        #expect(Set(gemms.map(\.architecture)) == Set(Self.architectures), "GEMM kernels missing from the ptxas report")
        let kernel = precision.usesTensorCores ? "m2_gemm_wmma_kernel" : "m2_gemm_simt_kernel"
        #expect(gemms.allSatisfy { $0.kernel.contains(kernel) }, "\(precision) must use \(kernel)")
        for report in gemms {
            #expect(!report.spills && report.stackFrameBytes == 0, "\(report.kernel) on \(report.architecture) spills: \(report)")
        }
    }

    /// `make` (both architectures into one fat object, static cudart) gives libNAME.so, and a C program calling
    /// every API function links against it.
    @Test(arguments: CUDAPrecision.allCases)
    func hostLibraryBuildsAndLinks(_ precision: CUDAPrecision) throws {
        let toolchain = try #require(CUDATestSupport.toolchain)
        let (graph, weights) = try CUDATestSupport.model("small", precision: precision)
        let lib = try CUDAEmitter.emit(graph: graph, weights: weights, name: "small", options: .init(precision: precision))
        let dir = try CUDATestSupport.scratchDirectory("link-\(precision.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try lib.write(to: dir)
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["make", "-s", "-C", dir, "NVCC=\(toolchain.nvcc)"]
        try make.run()
        make.waitUntilExit()
        #expect(make.terminationStatus == 0, "make failed in \(dir)")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/libsmall.so"))
        let app = """
        #include "small.h"
        #include <stdio.h>
        int main(void) {
            small_model *m = NULL;
            int rc = small_open("small.m2w", &m);
            printf("%d %s %s\\n", rc, small_error_string(rc), small_last_error(m));
            if (rc == SMALL_OK) {
                small_outputs out = {0};
                rc = small_forward(m, 1, NULL, NULL, NULL, &out) | small_reserve_batch(m, 2) | small_set_num_threads(m, 1);
                rc |= small_forward_v(m, 1, NULL, NULL);
            }
            small_close(m);
            return rc == SMALL_OK ? 0 : 1;
        }
        """
        try app.write(toFile: "\(dir)/app.c", atomically: true, encoding: .utf8)
        try CUDATestSupport.nvcc(toolchain, ["-x", "c", "app.c", "-I.", "-L.", "-lsmall", "-Xlinker", "-rpath,\(dir)", "-o", "app"], in: dir)
        #expect(FileManager.default.isExecutableFile(atPath: "\(dir)/app"))
    }

    /// The kernels the fusion pass's `fused_matmul` will use: every epilogue step compiles on tensor cores and on
    /// the SIMT path without spills.
    @Test(arguments: CUDAPrecision.allCases)
    func gemmEpiloguesCompileWithoutSpills(_ precision: CUDAPrecision) throws {
        let toolchain = try #require(CUDATestSupport.toolchain)
        let templates = try CUDATemplateSet.embedded()
        var source = try templates.render("common.cuh.tmpl", ["PRECISION": precision.rawValue, "STORAGE": precision.storageType,
                                                              "TENSOR_CORES": precision.usesTensorCores ? "1" : "0"])
        source += try templates.render("gemm.cuh.tmpl", [:])
        source += """
        void epilogues(const m2_gemm_args &a, cudaStream_t s) {
            m2_gemm<M2_E_BIAS, M2_E_NONE, M2_E_NONE, M2_E_NONE>(a, s);
            m2_gemm<M2_E_BIAS, M2_E_UNARY + M2_U_GELU, M2_E_NONE, M2_E_NONE>(a, s);
            m2_gemm<M2_E_BIAS, M2_E_UNARY + M2_U_GELU, M2_E_RESIDUAL, M2_E_NONE>(a, s);
            m2_gemm<M2_E_RESIDUAL, M2_E_UNARY + M2_U_SIGMOID, M2_E_BIAS, M2_E_UNARY + M2_U_TANH>(a, s);
        }

        """
        let dir = try CUDATestSupport.scratchDirectory("epilogues-\(precision.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try source.write(toFile: "\(dir)/gemm.cu", atomically: true, encoding: .utf8)
        for arch in Self.architectures {
            let output = try CUDATestSupport.nvcc(toolchain, ["-std=c++17", "-O3", "-arch=\(arch)", "-cubin", "-Xptxas", "-v", "gemm.cu",
                                                              "-o", "gemm.cubin"], in: dir)
            let gemms = PtxasKernelReport.parse(output).filter { $0.kernel.contains("m2_gemm") }
            #expect(gemms.count == 4, "expected 4 GEMM instantiations on \(arch), got \(gemms.map(\.kernel))")
            #expect(gemms.allSatisfy { !$0.spills }, "spills: \(gemms.filter(\.spills))")
        }
    }
}
