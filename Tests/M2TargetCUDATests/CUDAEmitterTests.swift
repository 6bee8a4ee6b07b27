import Foundation
import M2IR
import M2TargetCPU
@testable import M2TargetCUDA
import Testing

@Suite struct CUDAEmitterTests {
    @Test("the embedded templates are the files in Templates/cuda (run Templates/cuda/embed-templates.sh after editing)")
    func embeddedTemplatesAreCurrent() throws {
        let dir = CUDATestSupport.repoRoot.appendingPathComponent("Templates/cuda").path
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasSuffix(".sh") }
        let embedded = try CUDATemplateSet.embedded().files
        #expect(Set(onDisk) == Set(embedded.keys))
        for name in onDisk {
            let text = try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)
            #expect(embedded[name] == text, "\(name) differs from its embedded copy")
        }
    }

    @Test func headerHasTheCPUAPIShapeAndDocumentsHostOrDevicePointers() throws {
        let (graph, weights) = try CUDATestSupport.model("tiny", precision: .bf16)
        let lib = try CUDAEmitter.emit(graph: graph, weights: weights, name: "tiny")
        #expect(Set(lib.files.keys) == ["tiny.h", "tiny.cu", "Makefile", "tiny.swift", "module.modulemap", "tiny.m2w"])
        let header = try #require(lib.text("tiny.h"))
        for entry in ["int tiny_open(", "int tiny_forward(tiny_model *m, int batch,", "int tiny_forward_v(", "void tiny_close(",
                      "const char *tiny_last_error(", "TINY_ERR_TOKEN_OUT_OF_RANGE = 9", "TINY_ERR_CUDA = 10",
                      "cudaPointerGetAttributes", "#define TINY_PRECISION \"bf16\""] {
            #expect(header.contains(entry), "header lacks \(entry)")
        }
        let source = try #require(lib.text("tiny.cu"))
        #expect(source.contains("typedef __nv_bfloat16 m2_t;"))
        #expect(source.contains("cudaStreamBeginCapture") && source.contains("cudaGraphLaunch"))
        // Kernels only some outputs read run when one of those is wanted; the captured graphs are told apart by it.
        #expect(source.contains("    if (wanted & 0x") && source.contains("m->graphs[i].wanted == wanted"))
        #expect(source.contains("rc = m2_run(m, batch, (out->last_hidden_state ? 0x1ull : 0ull) | "))
        #expect(source.contains("m2_gemm<M2_E_NONE, M2_E_NONE, M2_E_NONE, M2_E_NONE>"))
        #expect(source.contains("m2_gather_kernel") && source.contains("{ \"input_ids\", "))
        // The forward allocates nothing: cudaMalloc appears only in open and the batch reservation.
        let forwardBody = try #require(source.range(of: "static void m2_enqueue_forward")).upperBound
        let forwardEnd = try #require(source.range(of: "static int m2_run(")).lowerBound
        #expect(!source[forwardBody..<forwardEnd].contains("cudaMalloc"))
        #expect(lib.modelHash != CPUEmitter.modelHash(of: graph), "CUDA and CPU .m2w layouts must not be interchangeable")
        let makefile = try #require(lib.text("Makefile"))
        #expect(makefile.contains("ARCHS ?= sm_80 sm_90a"))
    }

    @Test func everyPrecisionPicksItsStorageTypeAndAnnotatesTheIR() throws {
        for (precision, storage) in [(CUDAPrecision.fp32, "float"), (.bf16, "__nv_bfloat16"), (.fp16, "__half")] {
            let (graph, weights) = try CUDATestSupport.model("tiny", precision: precision)
            let lib = try CUDAEmitter.emit(graph: graph, weights: weights, name: "tiny", options: .init(precision: precision))
            #expect(try #require(lib.text("tiny.cu")).contains("typedef \(storage) m2_t;"))
            let matmuls = graph.ops.filter { $0.kind.mnemonic == "blockdiag_matmul" }
            #expect(!matmuls.isEmpty)
            #expect(matmuls.allSatisfy { $0.annotations["precision"] == .string(precision.rawValue) })
            let norms = graph.ops.filter { $0.kind.mnemonic == "layer_norm" }
            #expect(!norms.isEmpty && norms.allSatisfy {
                $0.annotations["statistics"] == (precision == .fp32 ? nil : .string("fp32"))
            })
            #expect(graph.inputs.allSatisfy { $0.annotations["precision"] == .string("i32") })
        }
    }

    @Test func fusedEpiloguesBecomeKernelTemplateArguments() throws {
        let (graph, _) = try CUDATestSupport.model("tiny", precision: .fp16)
        let plan = try ExecutionPlan(graph)
        var kernels = CUDAKernelInstantiator(templates: try .embedded(), plan: plan, inputNames: [:], precision: .fp16)
        let matmul = try #require(plan.forwardOps.first { $0.kind.mnemonic == "blockdiag_matmul" })
        let n = try #require(matmul.type.shape.last)
        var fused = matmul
        // A bias of the output width and the matmul's own input as a stand-in residual operand (same shape only
        // when square, so a non-square matmul must be refused).
        fused.operands += [matmul.operands[1], matmul.operands[0]]
        if plan.graph.type(of: matmul.operands[0]) == matmul.type {
            let text = try kernels.gemm(fused, outFeatures: n, epilogue: [.bias, .unary(.gelu), .residual])
            #expect(text.contains("m2_gemm<M2_E_BIAS, M2_E_UNARY + M2_U_GELU, M2_E_RESIDUAL, M2_E_NONE>"))
            #expect(text.contains("a.operand[0] = ") && text.contains("a.operand[2] = "))
        } else {
            #expect(throws: CUDAEmitError.self) { try kernels.gemm(fused, outFeatures: n, epilogue: [.bias, .unary(.gelu), .residual]) }
        }
        #expect(throws: CUDAEmitError.self) {
            try kernels.gemm(matmul, outFeatures: n, epilogue: Array(repeating: .unary(.relu), count: 5))
        }
    }

    @Test func unsupportedOpsAndBadOptionsAreErrorsThatNameThem() throws {
        var g = Graph(name: "bad")
        let x = g.freshValue(), w = g.freshValue(), y = g.freshValue()
        g.ops = [
            Op(kind: .input(name: "x"), operands: [], result: x, type: .f32([4], batched: true)),
            Op(kind: .weight(key: "w"), operands: [], result: w, type: .f32([4], batched: true)),
            Op(kind: .blockDiagMatmul(outFeatures: 4), operands: [x, w], result: y, type: .f32([4], batched: true), name: "layer.mix"),
        ]
        g.outputs = [GraphOutput(name: "y", value: y)]
        #expect(throws: CUDAEmitError.unsupported(op: "%2 = blockdiag_matmul (layer.mix)", reason: "a weight that depends on the batch")) {
            try CUDAEmitter.emit(graph: g, weights: nil, name: "bad")
        }
        let (graph, _) = try CUDATestSupport.model("tiny", precision: .fp32)
        #expect(throws: CUDAEmitError.self) { try CUDAEmitter.emit(graph: graph, weights: nil, name: "1bad") }
        #expect(throws: CUDAEmitError.self) {
            try CUDAEmitter.emit(graph: graph, weights: nil, name: "ok", options: .init(architectures: ["compute_80"]))
        }
        let reason = "--precision bf16 needs sm_80 or newer (tensor-core wmma on bf16, mma.m16n8k16 in the convolutions); "
            + "use --precision fp32 for sm_75"
        #expect(throws: CUDAEmitError.unsupported(op: "--cuda-arch sm_75", reason: reason)) {
            try CUDAEmitter.emit(graph: graph, weights: nil, name: "ok", options: .init(precision: .bf16, architectures: ["sm_80", "sm_75"]))
        }
        #expect(CUDAEmitOptions.architectureProblem("sm_70", precision: .fp32)?.contains("older than sm_75") == true)
        #expect(CUDAEmitOptions.architectureProblem("sm_75", precision: .fp32) == nil)
        #expect(CUDAEmitOptions.architectureProblem("sm_90a", precision: .fp16) == nil)
        #expect(CUDAEmitOptions.architectureProblem("sm_120", precision: .bf16) == nil)
    }
}
