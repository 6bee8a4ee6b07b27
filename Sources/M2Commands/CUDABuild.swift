import Foundation
import M2IR
import M2TargetCPU
import M2TargetCUDA

/// Compile → write → build (nvcc via the generated Makefile) → load of the CUDA target, shared by `compile`,
/// `verify`, `run --engine cuda` and `bench --target cuda`. The built library has the CPU libraries' entry
/// points, so `GeneratedLibrary` loads and calls it; without a GPU its open fails with the CUDA runtime's message.
enum CUDABuild {
    static func emit(_ graph: Graph, session: CompilerSession, name: String, directory: String,
                     options: CUDAEmitOptions) throws -> EmittedLibrary {
        do {
            let library = try CUDAEmitter.emit(graph: graph, weights: session.weights, name: name, options: options)
            try library.write(to: directory)
            return library
        } catch {
            Console.error("error: \(error)\n")
            throw ReportedFailure()
        }
    }

    /// `make` in `directory` with the nvcc m2c finds ($M2C_NVCC, PATH, ./.venv-cuda from scripts/setup.sh).
    static func build(directory: String) throws {
        guard let toolchain = NVCCToolchain.locate() else {
            Console.error("error: nvcc not found: install the CUDA toolkit, run scripts/setup.sh (CUDA wheels in .venv-cuda), or set M2C_NVCC\n")
            throw ReportedFailure()
        }
        let args = ["make", "-s", "-C", directory, "NVCC=\(toolchain.nvcc)"]
        let result: Subprocess.Result
        do { result = try Subprocess.run(args) } catch {
            Console.error("error: cannot run make: \(error)\n")
            throw ReportedFailure()
        }
        guard result.status == 0 else {
            Console.error("error: building \(directory) failed (\(args.joined(separator: " "))):\n\(result.stderr)\n")
            throw ReportedFailure()
        }
    }

    /// Emits, builds and loads the library (weights required). Opening uploads the weights to the GPU: without
    /// one this fails with the CUDA runtime's error, reported here.
    static func load(_ graph: Graph, session: CompilerSession, name: String, directory: String,
                     options: CUDAEmitOptions) throws -> GeneratedLibrary {
        _ = try emit(graph, session: session, name: name, directory: directory, options: options)
        try build(directory: directory)
        do {
            return try GeneratedLibrary(directory: directory, name: name, weights: "\(directory)/\(name).m2w")
        } catch {
            Console.error("error: \(error)\n")
            throw ReportedFailure()
        }
    }
}
