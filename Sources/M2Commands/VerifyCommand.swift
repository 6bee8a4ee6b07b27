import ArgumentParser
import Foundation
import M2IR
import M2Passes
import M2Reference
import M2TargetCPU
import M2Weights

/// `m2c verify MODEL --weights W [--golden IO]`: compiles, builds and runs the generated library and compares
/// every output with the Float64 reference interpreter (on the un-optimised IR) and with golden outputs.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check compiled code against the reference interpreter and golden outputs.",
        discussion: """
        Compiles the model to a temporary directory (or --keep DIR), builds it with make, runs it on the golden \
        inputs (--golden) or on random token ids (--batch, --random-inputs), and prints per output the max abs and \
        relative L2 error against the Float64 reference and, with --golden, against the golden outputs. \
        Generated float32 code passes when max|out − ref| ≤ 1e-4 · std(ref) (../shared/golden/README.md); --target \
        cuda builds with nvcc and runs on the GPU (bf16/fp16 pass within 2e-2 · std(ref)).
        The CUDA runtime's error (no device, old driver) is reported and fails the command.
        Exits non-zero when an output fails.
        """)

    enum Target: String, ExpressibleByArgument, CaseIterable { case cpu, cuda }

    @OptionGroup var model: ModelOptions

    @OptionGroup var cpu: CPUTargetOptions

    @OptionGroup var cuda: CUDATargetOptions

    @Option(help: ArgumentHelp("Safetensors file with inputs and golden outputs (e.g. ../shared/golden/NAME.io.safetensors).", valueName: "FILE"))
    var golden: String?

    @Option(help: "Batch size for random inputs (without --golden).")
    var batch: Int = 2

    @Option(name: .customLong("random-inputs"), help: ArgumentHelp("Seed of the random token ids (without --golden).", valueName: "SEED"))
    var randomInputs: UInt64 = 1

    @Option(help: "Target whose generated code is checked.")
    var target: Target = .cpu

    @Option(help: ArgumentHelp("C compiler for the generated code (default: make's cc).", valueName: "CC"))
    var cc: String?

    @Option(help: ArgumentHelp("CFLAGS for the generated code, e.g. \"-O1 -g -fsanitize=address,undefined\".", valueName: "FLAGS"))
    var cflags: String?

    @Option(help: ArgumentHelp("Keep the generated library in DIR instead of a temporary directory.", valueName: "DIR"))
    var keep: String?

    @Option(help: "Threads for the generated code.")
    var threads: Int?

    @Flag(help: "Run the generated code in a separate process (its harness program) instead of loading it.")
    var isolate = false

    @Flag(help: "Build the generated code with -fsanitize=address,undefined (implies --isolate); any report fails.")
    var sanitize = false

    @Flag(help: "Run the generated code under valgrind memcheck (implies --isolate); any error or leak fails.")
    var valgrind = false

    @Option(name: .customLong("run-under"), help: ArgumentHelp(
        "Run the generated code's harness under COMMAND (split at spaces; implies --isolate): an emulator for code of "
        + "another CPU, e.g. --cpu-isa neon --cc aarch64-linux-gnu-gcc --run-under \"qemu-aarch64 -L /usr/aarch64-linux-gnu\".",
        valueName: "COMMAND"))
    var runUnder: String?

    /// --run-under's command and arguments.
    var runUnderCommand: [String] { runUnder.map { $0.split(separator: " ").map(String.init) } ?? [] }

    static let tolerance = 1e-4

    func validate() throws {
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if target == .cuda && cpu.choosesTiles {
            throw ValidationError(CPUTargetOptions.tilesNeedTheCPU + "; they do not apply to --target cuda")
        }
        if target == .cuda && (isolate || sanitize || valgrind || cc != nil || cflags != nil || runUnder != nil) {
            throw ValidationError("--isolate, --sanitize, --valgrind, --run-under, --cc and --cflags apply to --target cpu only")
        }
        if let runUnder {
            if runUnderCommand.isEmpty { throw ValidationError("--run-under needs a command, e.g. \"qemu-aarch64 -L /usr/aarch64-linux-gnu\"") }
            if valgrind { throw ValidationError("--run-under and --valgrind each run the harness under a command: give one of the two") }
            if cpu.tune { throw ValidationError("--tune times the kernels on this machine, not under --run-under '\(runUnder)'; tune where the code runs and pass its NAME.ir with --tiles") }
        }
    }

    func run() throws {
        if target == .cpu && runUnder == nil {
            try cpu.requireKernelsRunHere("verify", hint: "check them with --cc CROSS-CC --run-under EMULATOR (e.g. qemu-aarch64 for neon)")
        }
        let session = try CompilerSession.open(model, requireWeights: true)
        let graph = try session.runPasses(try CompilerSession.pipeline(target == .cuda ? cuda.pipeline(cpu) : cpu.pipeline, upTo: nil))
        let directory = try keep ?? CPUBuild.temporaryDirectory()
        if keep != nil { try makeDirectory(directory) }
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }

        if golden == nil { try MemoryCheck.reference(graph, batch: batch) }
        let inputs: ModelInputs
        var goldenFile: SafetensorsFile?
        do {
            if let golden {
                let file = try SafetensorsFile(path: golden)
                inputs = try ModelInputs.read(file, for: graph)
                goldenFile = file
            } else {
                inputs = ModelInputs.random(for: graph, batch: batch, vocab: ModelInputs.vocabulary(of: graph), seed: randomInputs)
            }
        } catch {
            Console.error("error: \(error)\n"); throw ReportedFailure()
        }

        let name = CPUBuild.libraryName(nil, graph: graph)
        // The CPU kernels run the tiles of --tiles or --tune when given (tuned with the build's own compiler and flags).
        let cpuGraph = target == .cpu ? try cpu.tiledGraph(graph, session: session, name: name, compiler: cc, cflags: cflags) : graph
        let compiled: [String: (shape: [Int], values: [Double])]
        let reference: [String: Tensor64]
        do {
            if target == .cuda {
                let library = try CUDABuild.load(graph, session: session, name: name, directory: directory, options: cuda.emitOptions)
                compiled = try library.forward(graph: graph, inputs: inputs.tensors, batch: inputs.batch)
            } else if isolate || sanitize || valgrind || runUnder != nil {
                var options = cpu.emitOptions
                if valgrind && options.isa == .avx512 {
                    // valgrind cannot execute AVX-512 instructions (SIGILL); ASan+UBSan (--sanitize) covers those kernels.
                    Console.error("note: valgrind does not run AVX-512 code; checking the avx2 GEMM kernels instead\n")
                    options.isa = .avx2
                }
                _ = try CPUBuild.emit(cpuGraph, session: session, name: name, directory: directory, options: options)
                var harness = HarnessRunner(directory: directory, name: name, threads: threads)
                harness.wrapper = runUnderCommand
                if valgrind {
                    harness.wrapper = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect"]
                }
                let flags = cflags ?? (sanitize ? "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" : nil)
                try harness.build(compiler: cc, cflags: flags)
                compiled = try harness.forward(graph: graph, inputs: inputs.completed(for: graph).tensors, batch: inputs.batch)
            } else {
                let library = try CPUBuild.load(cpuGraph, session: session, name: name, directory: directory,
                                                compiler: cc, cflags: cflags, options: cpu.emitOptions)
                if let threads { try library.setThreads(threads) }
                compiled = try library.forward(graph: graph, inputs: inputs.tensors, batch: inputs.batch)
            }
            // The reference runs the elaborated IR, before any pass, so passes and code generation are both checked.
            reference = try ReferenceInterpreter(graph: session.model.graph, weights: session.weights)
                .run(inputValues: inputs.tensors, batch: inputs.batch)
        } catch let failure as ReportedFailure {
            throw failure
        } catch {
            Console.error("error: \(error)\n"); throw ReportedFailure()
        }

        let tolerance = target == .cuda ? cuda.tolerance : Self.tolerance
        var table = ComparisonTable()
        for out in graph.outputs where !out.isProbe {
            guard let c = compiled[out.name] else { continue }
            if let r = reference[out.name] {
                table.add("\(out.name) vs reference", output: c.values, outputShape: c.shape,
                          reference: r.values, referenceShape: r.shape, tolerance: tolerance)
            }
            if let g = goldenFile, let shape = g.shape(of: out.name) {
                let ref = (try? g.floats(out.name).map(Double.init)) ?? []
                table.add("\(out.name) vs golden", output: c.values, outputShape: c.shape,
                          reference: ref, referenceShape: shape, tolerance: tolerance)
            }
        }
        let mode = sanitize ? ", ASan+UBSan" : valgrind ? ", valgrind" : runUnder.map { ", under \($0)" } ?? (isolate ? ", out of process" : "")
        let code = target == .cuda ? "\(cuda.precision.rawValue), \(cuda.architectureList.joined(separator: ","))" : "gemm \(cpu.gemm.rawValue), \(cpu.resolvedISA.rawValue)"
        print("m2c verify \(model.model): target \(target.rawValue) (\(code))\(mode), batch \(inputs.batch)\(golden.map { ", golden \($0)" } ?? ", random inputs")")
        print(table.render(), terminator: "")
        print(table.passed ? "PASS" : "FAIL")
        guard table.passed else { throw ReportedFailure() }
    }
}
