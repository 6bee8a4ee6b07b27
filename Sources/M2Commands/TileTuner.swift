import Foundation
import M2IR
import M2TargetCPU

/// `--tune`: chooses each GEMM problem's tiles by timing them inside the compiled model, where the caches hold
/// what the forward leaves in them, instead of trusting the cost model alone.
///
/// Candidates (TilingModel.candidates) are the cost model's tiles and one-step moves from them. Round r builds
/// the model with every problem's r-th candidate (-DM2_PROFILE: per-op times) and runs it forward by forward,
/// alternating with a build of the cost model's tiles, so both see the same load on a shared machine; each
/// problem's time is the sum over its matmuls (the twelve in-projections of M2-BERT-base are one problem).
/// A candidate replaces the cost model's tiles only when it is `margin` faster. Only two builds are loaded at once.
/// The choices go into the IR as `tile` and `tuned` annotations: NAME.ir records them, and `--tiles NAME.ir`
/// compiles the same kernels again without tuning.
struct TileTuner {
    var compiler: String?
    /// Flags of the timed builds (-DM2_PROFILE is added).
    var cflags: String
    var batch: Int
    /// OpenMP threads of the timed forwards; nil leaves the runtime's default (every core).
    var threads: Int?
    /// Paired forwards per candidate round.
    var reps: Int
    var warmupSeconds: Double = 0.5
    /// How much faster than the cost model's tiles a candidate must be to replace them: below it, a difference
    /// is within what a shared machine's load moves between forwards.
    var margin = 0.02

    /// One problem's matmuls, candidates and measured times (ms per forward, summed over its matmuls).
    struct Problem {
        var problem: GemmProblem
        var ops: [Int]
        var candidates: [GemmTiling]
        /// Per candidate: (its time, the cost model's time in the same forwards); nil for the cost model's own.
        var paired: [(candidate: Double, model: Double)?]
        var chosen = 0

        var ratio: [Double?] { paired.map { $0.map { $0.candidate / max($0.model, 1e-12) } } }
    }

    func tune(_ graph: Graph, session: CompilerSession, options: CPUEmitOptions, name: String,
              progress: inout ProgressLine) throws -> (graph: Graph, problems: [Problem]) {
        var problems: [Problem] = []
        for (index, problem) in GemmProblem.all(in: graph) {
            if let k = problems.firstIndex(where: { $0.problem == problem }) { problems[k].ops.append(index); continue }
            let candidates = TilingModel.candidates(for: problem, options: options)
            problems.append(Problem(problem: problem, ops: [index], candidates: candidates,
                                    paired: Array(repeating: nil, count: candidates.count)))
        }
        let rounds = problems.map(\.candidates.count).max() ?? 0
        guard rounds > 1 else { return (annotated(graph, problems), problems) }

        let directory = try CPUBuild.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let flags = cflags + " -DM2_PROFILE"
        // Every round's library, emitted first. Tiles change no packed layout (the panel width is the ISA's), so
        // the weights are written once, by round 0, and every round opens that .m2w.
        progress.update("tune: writing \(rounds) builds of \(name), one per candidate round")
        var builds: [(name: String, directory: String)] = []
        for round in 0..<rounds {
            var trial = graph
            for p in problems {
                let t = p.candidates[min(round, p.candidates.count - 1)]
                for i in p.ops {
                    trial.ops[i].annotations["tile"] = .string(t.annotation)
                    trial.ops[i].annotations["kernel"] = .string(t.kernel)
                }
            }
            let build = (name: "\(name)_tune\(round)", directory: "\(directory)/\(round)")
            try makeDirectory(build.directory)
            do {
                let library = try CPUEmitter.emit(graph: trial, weights: round == 0 ? session.weights : nil, name: build.name, options: options)
                try library.write(to: build.directory)
            } catch {
                Console.error("error: \(error)\n")
                throw ReportedFailure()
            }
            builds.append(build)
        }
        let weights = "\(builds[0].directory)/\(builds[0].name).m2w"
        // The builds are independent C compiles: run them side by side.
        progress.update("tune: building \(rounds) libraries (\(compiler ?? "cc") \(flags)), \(ProcessInfo.processInfo.activeProcessorCount) at a time")
        let failures = Failures(), directories = builds.map(\.directory), compiler = self.compiler
        DispatchQueue.concurrentPerform(iterations: rounds) { round in
            do { try LibraryBuilder.build(directory: directories[round], compiler: compiler, cflags: flags) } catch {
                failures.append("\(error)")
            }
        }
        if let first = failures.first {
            progress.clear()
            Console.error("error: \(first)\n")
            throw ReportedFailure()
        }
        func load(_ round: Int) throws -> GeneratedLibrary {
            let library = try GeneratedLibrary(directory: builds[round].directory, name: builds[round].name, weights: weights)
            if let threads { try library.setThreads(threads) }
            return library
        }

        let inputs = ModelInputs.random(for: graph, batch: batch, vocab: ModelInputs.vocabulary(of: graph), seed: 1)
        let buffers = ForwardBuffers(graph: graph, inputs: inputs)
        let model = try load(0)
        for round in 1..<rounds {
            // One candidate loaded at a time: with the cost model's build, two copies of the weights and arena.
            let candidate = try load(round)
            progress.update("tune: timing candidate round \(round) of \(rounds - 1) against the cost model's tiles (\(reps) paired forwards, batch \(batch))")
            let (candidateTimes, modelTimes) = try pairedProfiles(candidate, model, buffers: buffers)
            for k in problems.indices where round < problems[k].candidates.count {
                let sum = { (times: [Int: Double]) in problems[k].ops.reduce(0) { $0 + (times[graph.ops[$1].result.raw] ?? 0) } }
                problems[k].paired[round] = (sum(candidateTimes) / Double(reps) * 1e3, sum(modelTimes) / Double(reps) * 1e3)
            }
        }
        progress.clear()
        for k in problems.indices {
            let best = problems[k].ratio.enumerated().compactMap { i, r in r.map { (i, $0) } }.min { $0.1 < $1.1 }
            if let best, best.1 < 1 - margin { problems[k].chosen = best.0 }
        }
        return (annotated(graph, problems), problems)
    }

    /// Warms both libraries up, then runs them forward by forward (the order alternating) and returns each one's
    /// per-op seconds over the timed forwards, keyed by the op's result (the profile labels name it).
    private func pairedProfiles(_ a: GeneratedLibrary, _ b: GeneratedLibrary,
                                buffers: ForwardBuffers) throws -> ([Int: Double], [Int: Double]) {
        func forward(_ library: GeneratedLibrary) throws {
            try library.forwardRaw(batch: batch, inputs: buffers.inputs, outputs: buffers.outputs)
        }
        let start = ForwardTiming.now()
        repeat { try forward(a); try forward(b) } while ForwardTiming.now() - start < warmupSeconds
        a.resetProfile()
        b.resetProfile()
        for rep in 0..<reps {
            if rep % 2 == 0 { try forward(a); try forward(b) } else { try forward(b); try forward(a) }
        }
        return (Self.secondsByValue(a.profile()), Self.secondsByValue(b.profile()))
    }

    /// Profile seconds keyed by the value in each label (`NAME %RAW : TYPE`).
    static func secondsByValue(_ entries: [GeneratedLibrary.ProfileEntry]) -> [Int: Double] {
        var result: [Int: Double] = [:]
        for e in entries {
            guard let colon = e.label.range(of: " : ", options: .backwards),
                  let token = e.label[..<colon.lowerBound].split(separator: " ").last, token.hasPrefix("%"),
                  let raw = Int(token.dropFirst()) else { continue }
            result[raw, default: 0] += e.seconds
        }
        return result
    }

    /// `graph` with every tuned matmul's chosen tiles and a `tuned` annotation saying what was measured.
    private func annotated(_ graph: Graph, _ problems: [Problem]) -> Graph {
        var result = graph
        let setting = "batch \(batch), \(threads.map { "\($0) thread(s)" } ?? "default threads"), \(reps) paired forwards"
        for p in problems {
            let t = p.candidates[p.chosen]
            let note: String
            if p.candidates.count == 1 {
                note = "the cost model's tiles, the only candidate"
            } else if p.chosen > 0, let m = p.paired[p.chosen] {
                note = "\(ms(m.candidate)) ms/forward over \(p.ops.count) matmul(s) against \(ms(m.model)) with the cost model's "
                    + "\(p.candidates[0].annotation) (\(String(format: "%.3f", m.candidate / m.model))×); \(p.candidates.count) candidates, \(setting)"
            } else {
                let best = p.ratio.compactMap { $0 }.min() ?? 1
                note = "the cost model's tiles: no other of \(p.candidates.count) candidates was \(Int((100 * margin).rounded()))% faster "
                    + "(best \(String(format: "%.3f", best))×); \(setting)"
            }
            for i in p.ops {
                result.ops[i].annotations["tile"] = .string(t.annotation)
                result.ops[i].annotations["kernel"] = .string(t.kernel)
                result.ops[i].annotations["tuned"] = .string(note)
            }
        }
        return result
    }

    private func ms(_ x: Double) -> String { String(format: "%.3f", x) }

    /// One line per problem for the compile's log: what it chose and how much it measured.
    static func summary(_ problems: [Problem]) -> String {
        var text = "tune: \(problems.count) GEMM problem(s)\n"
        for p in problems {
            let r = p.chosen > 0 ? p.ratio[p.chosen].map { String(format: "%.3f×", $0) } ?? "" : "kept"
            text += "  \(p.problem) (\(p.ops.count) matmul(s)): \(p.candidates[p.chosen].annotation) \(r)\n"
        }
        return text
    }
}

/// Error texts collected from concurrent builds.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var texts: [String] = []
    func append(_ text: String) { lock.lock(); texts.append(text); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return texts.first }
}
