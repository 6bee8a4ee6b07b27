import ArgumentParser
import Foundation
import M2IR
import M2Passes
import M2TargetCPU

/// `m2c bench MODEL [--seq-len 128,512] [--batch 1] [--threads 1,2] [--profile] [--json]`: per sequence length,
/// compiles the model (random weights unless --weights), builds it with -O3 -march=native and OpenMP, loads it,
/// warms up, times repeated forwards and reports them against its model flops, an OpenBLAS sgemm and the FMA peak
/// measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time compiled forwards: ms/forward, tokens/ms, GFLOP/s, % of an in-run OpenBLAS sgemm and FMA peak.",
        discussion: """
        For every --seq-len L the model is compiled with --param seq_len=L (parameters that default to seq_len, such \
        as max_positions and l_max in the examples, follow it), built with CFLAGS (default -O3 -march=native) and \
        OpenMP, and loaded in process. For every --threads T: OpenBLAS sgemm 2048³ and the float32 FMA peak \
        (independent FMA chains) on T threads are measured (small C programs built once into ~/.cache/m2c), then \
        for every --batch B the forward is warmed up for --warmup-seconds and timed --reps times; the FMA peak is \
        measured again after each batch and the higher of the two measurements around it is its roofline. Reported: median \
        (and min) ms per forward, tokens/ms, model GFLOP per forward (FFT-route long convolutions, multiply-add = 2, \
        see docs/PERFORMANCE.md), GFLOP/s and its share of the sgemm rate and of the FMA peak. --profile builds with \
        -DM2_PROFILE and adds a per-op and per-kind table.
        --json prints one JSON object per line per (L, batch, threads) instead of the table; progress goes to stderr.
        Timings depend on the machine's load: compare ratios measured in one run.
        """)

    @OptionGroup var model: ModelOptions

    @OptionGroup var cpu: CPUTargetOptions

    @OptionGroup var cuda: CUDATargetOptions

    @Option(help: "Target to time: cpu, or cuda (built with nvcc, run on the GPU; no sgemm baseline, --threads ignored).")
    var target: CompileCommand.Target = .cpu

    @Option(name: .customLong("seq-len"), help: ArgumentHelp("Comma-separated sequence lengths (default: the model's own).", valueName: "L,…"))
    var seqLens: String?

    @Option(help: ArgumentHelp("Comma-separated batch sizes.", valueName: "N,…"))
    var batch: String = "1"

    @Option(help: ArgumentHelp("Comma-separated thread counts (OpenMP in the model, OpenBLAS in the sgemm baseline).", valueName: "N,…"))
    var threads: String = "1"

    @Option(help: "Timed forwards per measurement (median and min are reported).")
    var reps: Int = 5

    @Option(name: .customLong("warmup-seconds"), help: "Untimed forwards (and sgemm calls) for this long first.")
    var warmupSeconds: Double = 1

    @Flag(help: "Build with -DM2_PROFILE and print per-op times, GFLOP/s and shares.")
    var profile = false

    @Option(name: .customLong("profile-top"), help: "Rows of the per-op profile table, slowest first (0: all).")
    var profileTop: Int = 30

    @Flag(help: "Also run one forward out of process and report its peak resident memory against the memory plan (weights + statics + 1.5 × arena).")
    var memory = false

    @Flag(help: "Print one JSON object per line instead of the table.")
    var json = false

    @Option(help: ArgumentHelp("C compiler for the generated code and the sgemm baseline.", valueName: "CC"))
    var cc: String = "cc"

    @Option(help: ArgumentHelp("CFLAGS for the generated code.", valueName: "FLAGS"))
    var cflags: String = "-O3 -march=native"

    @Flag(name: .customLong("no-sgemm"), help: "Skip the OpenBLAS sgemm baseline.")
    var noSgemm = false

    @Flag(name: .customLong("no-peak"), help: "Skip the FMA-peak measurement (the % peak column).")
    var noPeak = false

    @Option(help: ArgumentHelp("Keep each generated library in DIR/L<seq_len> instead of a temporary directory, with NAME.ir (its GEMM tiles, for --tiles).", valueName: "DIR"))
    var keep: String?

    func validate() throws {
        for (name, text) in [("--batch", batch), ("--threads", threads)] + (seqLens.map { [("--seq-len", $0)] } ?? []) {
            guard let values = Self.positiveList(text), !values.isEmpty else {
                throw ValidationError("\(name) must be a comma-separated list of positive integers, got '\(text)'")
            }
        }
        if reps < 1 { throw ValidationError("--reps must be at least 1") }
        if target == .cuda && cpu.choosesTiles {
            throw ValidationError(CPUTargetOptions.tilesNeedTheCPU + "; they do not apply to --target cuda")
        }
        if memory && target == .cuda { throw ValidationError("--memory measures the CPU target's host memory; it does not apply to --target cuda") }
        if warmupSeconds < 0 { throw ValidationError("--warmup-seconds must not be negative") }
    }

    static func positiveList(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.compactMap { $0 }
    }

    func run() throws {
        if !json {
            print(BenchTable.header(model: model.model, compiler: cc, cflags: buildFlags))
            fflush(nil)
        }
        try measure { record, report in
            if json {
                print(try record.jsonLine())
            } else {
                print(BenchTable.row(record))
                if let memory = record.memory { print(memory.summary) }
                if let report { print(report.render(top: profileTop)) }
            }
            fflush(nil)  // rows appear as measured even when stdout is a pipe
        }
    }

    private var buildFlags: String { cflags + (profile ? " -DM2_PROFILE" : "") }

    /// Compiles, builds and times every (L, threads, batch), handing each measurement to `report` as it finishes.
    func measure(_ report: (BenchRecord, ProfileReport?) throws -> Void) throws {
        let batches = Self.positiveList(batch) ?? [1], threadCounts = Self.positiveList(threads) ?? [1]
        let lengths: [Int?] = seqLens.flatMap(Self.positiveList) ?? [nil]
        let flags = buildFlags
        if target == .cpu { try cpu.requireKernelsRunHere("bench", hint: "benchmark on a machine that has it") }
        var progress = ProgressLine()

        // The yardsticks are optional: one that cannot be built or run leaves its columns empty, with a warning.
        let buildYardsticks = target == .cpu
        let sgemm = buildYardsticks && !noSgemm ? Self.yardstick("OpenBLAS sgemm baseline", &progress) {
            try SgemmBaseline.prepare(compiler: cc)
        } : nil
        let peak = buildYardsticks && !noPeak ? Self.yardstick("FMA-peak program", &progress) {
            try FMAPeak.prepare(compiler: cc)
        } : nil

        for length in lengths {
            let tag = length.map { "L=\($0)" } ?? "default L"
            var options = model
            if let length { options.params.append("seq_len=\(length)") }
            if options.weights.isEmpty && options.randomWeights == nil { options.randomWeights = 1 }

            progress.update("bench \(tag): compiling \(model.model)")
            let session = try CompilerSession.open(options, requireWeights: true)
            // The CPU pipeline, as `m2c compile --target cpu` runs it (long convolutions lowered to Monarch FFT).
            let graph = try session.runPasses(try CompilerSession.pipeline(target == .cuda ? cuda.pipeline(cpu) : cpu.pipeline, upTo: nil))
            let seqLen = length ?? Self.sequenceLength(of: session.model.graph)
            // Model flops come from the elaborated graph: long_conv is still one op there, whatever a pass lowers it to.
            let flopsPerItem = FlopCount.perItem(session.model.graph)

            let name = CPUBuild.libraryName(nil, graph: graph)
            let directory = try keep.map { dir -> String in
                let d = "\(dir)/L\(seqLen)"
                try makeDirectory(d)
                return d
            } ?? CPUBuild.temporaryDirectory()
            defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
            progress.update("bench \(tag): building \(name) (\(target == .cuda ? "nvcc, \(cuda.precision.rawValue)" : "\(cc) \(flags)"))")
            let library: GeneratedLibrary
            var emitted: EmittedLibrary?
            if target == .cuda {
                library = try CUDABuild.load(graph, session: session, name: name, directory: directory, options: cuda.emitOptions)
            } else {
                // NAME.ir beside the library, as `m2c compile` writes it: with --keep, a --tune's choices at this
                // length outlive the run and --tiles DIR/L<seq_len>/NAME.ir builds them again.
                let tiled = try cpu.annotatedGraph(graph, session: session, name: name, compiler: cc, cflags: cflags)
                try writeOrPrint(IRPrinter.print(tiled), to: "\(directory)/\(name).ir")
                emitted = try CPUBuild.emit(tiled, session: session, name: name, directory: directory, options: cpu.emitOptions)
                library = try CPUBuild.buildAndLoad(name: name, directory: directory, compiler: cc, cflags: flags)
            }
            let vocab = ModelInputs.vocabulary(of: graph)
            for b in batches { try MemoryCheck.compiled(graph, batch: b, arenaBytesPerItem: emitted?.arenaBytesPerItem ?? 0) }

            for threadCount in threadCounts {
                let sgemmRate = sgemm.flatMap { sgemm in
                    Self.yardstick("\(tag): OpenBLAS sgemm 2048³ on \(threadCount) thread(s)", &progress, building: false) {
                        try sgemm.measure(threads: threadCount, warmupSeconds: warmupSeconds, reps: reps)
                    }
                }
                let measurePeak = { (progress: inout ProgressLine) -> Double? in
                    peak.flatMap { peak in
                        Self.yardstick("\(tag): FMA peak on \(threadCount) thread(s)", &progress, building: false) {
                            try peak.measure(threads: threadCount)
                        } ?? nil
                    }
                }
                var peakBefore = measurePeak(&progress)
                do { try library.setThreads(threadCount) } catch { Console.error("error: \(error)\n"); throw ReportedFailure() }
                for b in batches {
                    let inputs = ModelInputs.random(for: graph, batch: b, vocab: vocab, seed: 1)
                    let buffers = ForwardBuffers(graph: graph, inputs: inputs)
                    progress.update("bench \(tag): batch \(b), \(threadCount) thread(s): warming up \(warmupSeconds) s, then \(reps) timed forwards")
                    let timing: ForwardTiming
                    do {
                        timing = try ForwardTiming.measure(warmupSeconds: warmupSeconds, reps: reps, afterWarmup: library.resetProfile) {
                            try library.forwardRaw(batch: b, inputs: buffers.inputs, outputs: buffers.outputs)
                        }
                    } catch {
                        progress.clear()
                        Console.error("error: \(error)\n")
                        throw ReportedFailure()
                    }
                    let profiled = profile ? ProfileReport(library.profile(), forwards: reps) : nil
                    // The peak is measured before and after each batch's forwards and the better of the two is the
                    // roofline: a neighbour on the shared host during one sub-second measurement otherwise shows as a
                    // "% peak" far above 100.
                    let peakAfter = measurePeak(&progress)
                    let peakRate = FMAPeak.roofline(peakBefore, peakAfter)
                    peakBefore = peakAfter
                    var record = makeRecord(seqLen: seqLen, batch: b, threads: threadCount, timing: timing,
                                            gflop: flopsPerItem * Double(b) * 1e-9, sgemm: sgemmRate, peak: peakRate, flags: flags,
                                            profile: profiled)
                    if memory, let emitted {
                        progress.update("bench \(tag): batch \(b): one forward out of process for peak memory")
                        do {
                            record.memory = try MemoryMeasurement.measure(directory: directory, name: name, graph: graph, emitted: emitted,
                                                                          inputs: inputs, threads: threadCount, compiler: cc, cflags: cflags)
                        } catch {
                            progress.clear()
                            Console.error("error: \(error)\n")
                            throw ReportedFailure()
                        }
                    }
                    progress.clear()
                    try report(record, profiled)
                }
            }
        }
        progress.clear()
    }

    /// Builds (or, with `building: false`, runs) one yardstick; on failure a warning and nil, the run goes on.
    private static func yardstick<T>(_ what: String, _ progress: inout ProgressLine, building: Bool = true,
                                     _ make: () throws -> T) -> T? {
        progress.update(building ? "bench: building the \(what)" : "bench \(what)")
        do { return try make() } catch {
            progress.clear()
            Console.error("warning: \(error)" + (building ? "; continuing without the \(what)" : "") + "\n")
            return nil
        }
    }

    private func makeRecord(seqLen: Int, batch: Int, threads: Int, timing: ForwardTiming, gflop: Double,
                            sgemm: SgemmBaseline.Rate?, peak: Double?, flags: String, profile: ProfileReport?) -> BenchRecord {
        let median = timing.median
        let achieved = gflop / median
        let date = ISO8601DateFormatter().string(from: Date())
        return BenchRecord(
            model: model.model, seqLen: seqLen, batch: batch, threads: threads,
            msPerForward: median * 1e3, msPerForwardMin: timing.minimum * 1e3, reps: timing.seconds.count,
            tokensPerMs: Double(batch * seqLen) / (median * 1e3), modelGflopPerForward: gflop, achievedGflops: achieved,
            sgemmGflopsSameRun: sgemm?.medianGFLOPS, percentOfSgemm: sgemm.map { 100 * achieved / $0.medianGFLOPS },
            fmaPeakGflopsSameRun: peak, percentOfFmaPeak: peak.map { 100 * achieved / $0 },
            compiler: cc, cflags: flags, m2cVersion: M2CVersion.string, date: date,
            profile: profile.map { $0.ops },
            tiles: target == .cuda ? nil : cpu.tileSource)
    }

    /// The graph's `seq_len` attribute (elaborated models record their parameters), else the first input's
    /// last dimension.
    static func sequenceLength(of graph: Graph) -> Int {
        if case .int(let l)? = graph.attributes["seq_len"] { return l }
        return graph.inputs.first?.type.shape.last ?? 1
    }
}
