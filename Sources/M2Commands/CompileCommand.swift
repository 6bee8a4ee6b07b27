import ArgumentParser
import Foundation
import M2IR
import M2Passes
import M2TargetCPU
import M2TargetCUDA

/// `m2c compile MODEL --target cpu -o DIR`: the pass pipeline, then the target's code generator.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a model into a C or CUDA library (header, source, weights, Makefile, Swift wrapper).",
        discussion: """
        Writes DIR/NAME.h, NAME.c, NAME.m2w (with --weights or --random-weights), Makefile, NAME.pc.in, \
        NAME.swift and module.modulemap (see docs/OUTPUT.md). --build runs make so DIR also holds libNAME.a and \
        libNAME.so. --dump-ir DIR writes the IR after every pass; DIR/NAME.ir is the IR the emitter walked, with \
        each GEMM's tiles (tile, kernel annotations): the cost model's, --tune's (timed in the built model, see \
        docs/PERFORMANCE.md) or those of --tiles FILE.ir.
        --target cuda writes NAME.cu instead of NAME.c and a Makefile building libNAME.so with nvcc for every \
        --cuda-arch (docs/CUDA.md); --precision picks fp32, bf16 or fp16 storage.
        """)

    enum Target: String, ExpressibleByArgument, CaseIterable { case cpu, cuda }

    /// How long convolutions are compiled: the CPU pipeline's Monarch-FFT lowering, or the direct O(L²) sum of
    /// the front pipeline (the baseline of bench/longconv).
    enum LongConvForm: String, ExpressibleByArgument, CaseIterable { case monarch, direct }

    @OptionGroup var model: ModelOptions

    @OptionGroup var cpu: CPUTargetOptions

    @OptionGroup var cuda: CUDATargetOptions

    @Option(help: "Target: cpu (C11 + OpenMP) or cuda (CUDA C++ for NVIDIA GPUs, built with nvcc).")
    var target: Target = .cpu

    @Option(name: .shortAndLong, help: "Output directory (default: build/NAME).")
    var output: String?

    @Option(help: "Library name (default: the model's name).")
    var name: String?

    @Option(name: .customLong("long-conv"), help: "Long convolutions: monarch (Monarch-FFT form) or direct (the O(L²) sum, for comparisons).")
    var longConv: LongConvForm = .monarch

    @Flag(help: "Run make in the output directory to build libNAME.a and libNAME.so.")
    var build = false

    @Option(name: .customLong("dump-ir"), help: ArgumentHelp("Write the IR after every pass to DIR/NN-PASS.ir.", valueName: "DIR"))
    var dumpIR: String?

    func run() throws {
        if target == .cuda && cpu.choosesTiles {
            Console.error("error: \(CPUTargetOptions.tilesNeedTheCPU); they do not apply to --target cuda\n")
            throw ReportedFailure(code: 2)
        }
        if target == .cuda && longConv == .direct {
            Console.error("error: --long-conv direct is a CPU benchmark option; --target cuda lowers long convolutions itself\n")
            throw ReportedFailure(code: 2)
        }
        let session = try CompilerSession.open(model, requireWeights: false)
        if let dumpIR { try makeDirectory(dumpIR) }
        func dump(_ index: Int, _ name: String, _ graph: Graph) throws {
            guard let dumpIR else { return }
            try writeOrPrint(IRPrinter.print(graph), to: "\(dumpIR)/\(String(format: "%02d", index))-\(name).ir")
        }
        try dump(0, "elaborate", session.model.graph)
        let passes = target == .cuda ? cuda.pipeline(cpu) : longConv == .monarch ? cpu.pipeline : PassRegistry.frontendPipeline
        let passed = try session.runPasses(passes) { i, pass, g in
            try dump(i + 1, pass.name, g)
        }
        if target == .cuda { return try emitCUDA(passed, session: session) }
        let options = cpu.emitOptions
        let libName = CPUBuild.libraryName(name, graph: passed)
        // The IR the emitter walks, with its tile choices (the cost model's, --tune's or --tiles') as annotations.
        let graph = try cpu.annotatedGraph(passed, session: session, name: libName)
        let directory = output ?? "build/\(libName)"
        try makeDirectory(directory)
        try writeOrPrint(IRPrinter.print(graph), to: "\(directory)/\(libName).ir")
        let library = try CPUBuild.emit(graph, session: session, name: libName, directory: directory, options: options)
        if session.weights == nil {
            Console.error("warning: no --weights or --random-weights: \(libName).m2w was not written\n")
        }
        if build {
            do { try LibraryBuilder.build(directory: directory) } catch {
                Console.error("error: \(error)\n"); throw ReportedFailure()
            }
        }
        let files = library.files.keys.sorted().joined(separator: ", ")
        Console.error("wrote \(directory)/{\(files)}\(build ? " and built lib\(libName).a, lib\(libName).so" : "")\n")
    }

    /// The CUDA half of `run`: NAME.cu, NAME.h, Makefile, wrapper and .m2w, then nvcc with --build.
    private func emitCUDA(_ graph: Graph, session: CompilerSession) throws {
        let libName = CPUBuild.libraryName(name, graph: graph)
        let directory = output ?? "build/\(libName)"
        try makeDirectory(directory)
        try writeOrPrint(IRPrinter.print(graph), to: "\(directory)/\(libName).ir")
        let library = try CUDABuild.emit(graph, session: session, name: libName, directory: directory, options: cuda.emitOptions)
        if session.weights == nil {
            Console.error("warning: no --weights or --random-weights: \(libName).m2w was not written\n")
        }
        if build { try CUDABuild.build(directory: directory) }
        let files = library.files.keys.sorted().joined(separator: ", ")
        Console.error("wrote \(directory)/{\(files)}\(build ? " and built lib\(libName).so" : "")\n")
    }
}

func makeDirectory(_ path: String) throws {
    do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
        Console.error("error: cannot create directory \(path): \(error.localizedDescription)\n")
        throw ReportedFailure()
    }
}
