import ArgumentParser
import M2IR
import M2Passes
import M2TargetCPU

extension CPUISA: ExpressibleByArgument {}
extension GemmBackend: ExpressibleByArgument {}

/// Code-generation choices of the CPU target, shared by every command that compiles for it
/// (`compile`, `verify`, `run --engine cpu`, `bench`): `@OptionGroup var cpu: CPUTargetOptions`.
public struct CPUTargetOptions: ParsableArguments {
    /// `native` or one of the kernel instruction sets.
    public enum ISAChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
        case native, avx512, avx2, neon, generic
    }

    @Option(name: .customLong("cpu-isa"), help: ArgumentHelp(
        "GEMM micro-kernels: avx512, avx2, neon (AArch64), generic (portable C) or native (the best this machine has, detected when m2c runs).",
        valueName: "ISA"))
    public var isa: ISAChoice = .native

    @Option(help: ArgumentHelp("GEMM implementation: m2c (packed-weight micro-kernels) or openblas (cblas_sgemm, links -lopenblas).",
                               valueName: "IMPL"))
    public var gemm: GemmBackend = .m2c

    @Flag(name: .customLong("no-fusion"), help: "Skip the fuse pass (every op runs as its own kernel; the comparison path for fusion).")
    public var noFusion = false

    @Option(name: .customLong("disable-fusion"), help: ArgumentHelp("Switch one fusion rule off (repeatable; `m2c passes` lists them).",
                                                                   valueName: "RULE"))
    public var disabledFusionRules: [String] = []

    @Flag(help: ArgumentHelp(
        "Choose each GEMM's tiles by timing the cost model's choice and one-step moves from it inside the built model "
        + "(one -DM2_PROFILE build per candidate round: $CC or cc with -O3 -march=native, or bench and verify's --cc/--cflags; paired "
        + "forwards; minutes for M2-BERT-base). The choices and "
        + "their timings go into NAME.ir as tile and tuned annotations; --tiles NAME.ir reproduces them."))
    public var tune = false

    @Option(name: .customLong("tune-batch"), help: "Batch of the forwards --tune times.")
    public var tuneBatch: Int = 1

    @Option(name: .customLong("tune-threads"), help: "OpenMP threads of the forwards --tune times (default: the runtime's, every core).")
    public var tuneThreads: Int?

    @Option(name: .customLong("tune-reps"), help: "Paired forwards per --tune candidate round.")
    public var tuneReps: Int = 5

    @Option(name: .customLong("tiles"), help: ArgumentHelp(
        "Run the GEMM tiles an IR file of m2c records (DIR/NAME.ir of an earlier compile of this model, e.g. a --tune one) "
        + "instead of choosing them.", valueName: "FILE.ir"))
    public var tilesFile: String?

    public init() {}

    public mutating func validate() throws {
        if tune && tilesFile != nil { throw ValidationError("--tune chooses tiles and --tiles reads them: give one of the two") }
        if tune && gemm == .openblas { throw ValidationError("--tune times m2c's GEMM kernels; --gemm openblas has no tiles to choose") }
        if tuneBatch < 1 { throw ValidationError("--tune-batch must be at least 1") }
        if tuneReps < 1 { throw ValidationError("--tune-reps must be at least 1") }
        if let t = tuneThreads, t < 1 { throw ValidationError("--tune-threads must be at least 1") }
        for rule in disabledFusionRules where !FusionRules.names.contains(rule) {
            throw ValidationError("unknown fusion rule '\(rule)'; known rules: \(FusionRules.names.joined(separator: ", "))")
        }
    }

    /// Whether --tune or --tiles was given (they choose the CPU target's GEMM tiles, nothing else's).
    public var choosesTiles: Bool { tune || tilesFile != nil }

    /// Why --tune and --tiles are refused where no CPU GEMM runs.
    static let tilesNeedTheCPU = "--tune and --tiles choose the CPU target's GEMM tiles"

    /// Where the GEMM tiles come from, as bench records say: `tuned`, `file PATH` or `cost-model`.
    var tileSource: String { tune ? "tuned" : tilesFile.map { "file \($0)" } ?? "cost-model" }

    /// The flags of --tune's timed builds when the command has none of its own (those of `m2c bench`).
    static let tuneCFlags = "-O3 -march=native"

    /// The CPU pass pipeline these options select.
    public var pipeline: [any Pass] {
        // cblas_sgemm finishes each column block on its own: a GLU stays its own kernel on the OpenBLAS path.
        let columnwise = gemm == .openblas ? FusionRules.columnwiseGemmNames : []
        return PassRegistry.cpuPipeline(fusion: !noFusion, disabledRules: Set(disabledFusionRules).union(columnwise))
    }

    /// The ISA the kernels are generated for (`native` resolved on this machine).
    public var resolvedISA: CPUISA {
        switch isa {
        case .native: return CPUISA.native()
        case .avx512: return .avx512
        case .avx2: return .avx2
        case .neon: return .neon
        case .generic: return .generic
        }
    }

    public var emitOptions: CPUEmitOptions { CPUEmitOptions(isa: resolvedISA, gemm: gemm) }

    /// Refuses, before anything is built, kernels this machine cannot execute where the command runs them here
    /// (they would die of SIGILL, or not compile): `hint` says what to do instead.
    func requireKernelsRunHere(_ command: String, hint: String) throws {
        let isa = resolvedISA
        guard !isa.runsHere else { return }
        Console.error("error: \(command) runs the \(isa.rawValue) kernels on this machine, which has no \(isa.rawValue) (its best is \(CPUISA.native().rawValue)); \(hint)\n")
        throw ReportedFailure()
    }

    /// The IR the emitter walks, as compile and bench write it to NAME.ir: `tiledGraph`'s tiles, and the cost
    /// model's on every matmul without one.
    func annotatedGraph(_ graph: Graph, session: CompilerSession, name: String, compiler: String? = nil,
                        cflags: String? = nil) throws -> Graph {
        TilingModel.annotate(try tiledGraph(graph, session: session, name: name, compiler: compiler, cflags: cflags),
                             options: emitOptions)
    }

    /// `graph` (after the CPU pipeline) with the GEMM tiles of --tiles or --tune as annotations; unchanged without
    /// either, so the emitter's cost model chooses. `compiler` and `cflags` build --tune's timed libraries.
    func tiledGraph(_ graph: Graph, session: CompilerSession, name: String, compiler: String? = nil,
                    cflags: String? = nil) throws -> Graph {
        if let tilesFile {
            let text: String
            do { text = try String(contentsOfFile: tilesFile, encoding: .utf8) } catch {
                Console.error("error: cannot read --tiles file '\(tilesFile)': \(error.localizedDescription)\n")
                throw ReportedFailure()
            }
            do { return try TileRecords.apply(text, file: tilesFile, to: graph, options: emitOptions) } catch {
                Console.error("error: \(error)\n")
                throw ReportedFailure()
            }
        }
        guard tune else { return graph }
        guard session.weights != nil else {
            Console.error("error: --tune times forwards: give --weights FILE or --random-weights SEED\n")
            throw ReportedFailure()
        }
        try requireKernelsRunHere("--tune", hint: "tune on a machine that has it and pass its NAME.ir with --tiles")
        var progress = ProgressLine()
        let tuner = TileTuner(compiler: compiler, cflags: cflags ?? Self.tuneCFlags, batch: tuneBatch, threads: tuneThreads, reps: tuneReps)
        let (tuned, problems) = try tuner.tune(graph, session: session, options: emitOptions, name: name, progress: &progress)
        Console.error(TileTuner.summary(problems))
        return tuned
    }
}
