import Foundation
import Testing
@testable import M2Commands
import M2TargetCUDA

/// `verify --target cuda` end to end: emit, nvcc build, dlopen, open. Without a GPU (CI) open must fail with the
/// CUDA runtime's own message and the command must exit non-zero; on a GPU the same test checks the numbers.
@Suite("m2c --target cuda", .serialized)
struct CUDACommandTests {
    static let toolchain = NVCCToolchain.locate(searchRoot: Fixtures.repoRoot.path)

    let tmp = Fixtures.scratchDirectory("m2c-cuda-cli")

    @Test(.enabled(if: toolchain != nil, "SKIPPED: nvcc not found — run scripts/setup.sh (CUDA wheels in .venv-cuda) or set M2C_NVCC"))
    func verifyRunsOnAGPUOrFailsWithTheRuntimeError() throws {
        let toolchain = try #require(Self.toolchain)
        setenv("M2C_NVCC", toolchain.nvcc, 1)
        let model = "\(tmp)/tiny.m2"
        let config = try #require(Fixtures.golden("tiny", "config.json"))
        #expect(try m2c(["import", config.path, "-o", model]))
        let out = "\(tmp)/lib"
        #expect(try m2c(["compile", model, "--target", "cuda", "--precision", "fp32", "--random-weights", "2", "-o", out, "--build"]))
        #expect(FileManager.default.fileExists(atPath: "\(out)/libtiny.so"))

        let opened: Bool
        do {
            _ = try GeneratedLibrary(directory: out, name: "tiny", weights: "\(out)/tiny.m2w")
            opened = true
        } catch {
            opened = false
            let message = error.description
            #expect(message.contains("CUDA runtime error (code 10)"), "\(message)")
            #expect(message.contains("no CUDA-capable device") || message.contains("driver"), "\(message)")
        }
        let verified = try m2c(["verify", model, "--target", "cuda", "--precision", "fp32", "--random-weights", "2", "--batch", "2"])
        #expect(verified == opened, opened ? "a GPU is present: verify must pass" : "verify without a GPU must exit non-zero")
    }
}
