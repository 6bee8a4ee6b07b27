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
/// A candidate replaces the cost model's tiles only when it is `margin` faster, and again in a second measurement
/// with every choice built together (one lucky round on a shared host picks nothing). Only two builds are loaded
/// at once.
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
        /// The chosen candidate's second measurement, with every choice built together.
        var confirmation: (candidate: Double, model: Double)?
        /// A candidate that was faster by the margin in its round but not in the confirmation.
        var unconfirmed: Int?

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
        // Every round's library, written first. Tiles change no packed layout (the panel width is the ISA's), so
        // the weights are written once, by round 0, and every build opens that .m2w.
        progress.update("tune: writing \(rounds) builds of \(name), one per candidate round")
        var builds: [Build] = []
        for round in 0..<rounds {
            builds.append(try write(graph, problems, choosing: { min(round, $0.candidates.count - 1) }, tag: "\(round)",
                                    name: name, directory: directory, session: session, options: options, weights: round == 0))
        }
        try compile(builds, &progress)
        let weights = builds[0].weights
        let inputs = ModelInputs.random(for: graph, batch: batch, vocab: ModelInputs.vocabulary(of: graph), seed: 1)
        let buffers = ForwardBuffers(graph: graph, inputs: inputs)
        /// Each problem's ms per forward in `a` and in `b`, measured in the same forwards.
        func paired(_ a: GeneratedLibrary, _ b: GeneratedLibrary) throws -> [(Double, Double)] {
            let (ta, tb) = try pairedProfiles(a, b, buffers: buffers)
            return problems.map { p in
                let sum = { (times: [Int: Double]) in p.ops.reduce(0) { $0 + (times[graph.ops[$1].result.raw] ?? 0) } / Double(reps) * 1e3 }
                return (sum(ta), sum(tb))
            }
        }
        let model = try load(builds[0], weights: weights)
        for round in 1..<rounds {
            // One candidate loaded at a time: with the cost model's build, two copies of the weights and arena.
            let candidate = try load(builds[round], weights: weights)
            progress.update("tune: timing candidate round \(round) of \(rounds - 1) against the cost model's tiles (\(reps) paired forwards, batch \(batch))")
            let times = try paired(candidate, model)
            for k in problems.indices where round < problems[k].candidates.count { problems[k].paired[round] = times[k] }
        }
        for k in problems.indices {
            let best = problems[k].ratio.enumerated().compactMap { i, r in r.map { (i, $0) } }.min { $0.1 < $1.1 }
            if let best, best.1 < 1 - margin { problems[k].chosen = best.0 }
        }
        // A second measurement of every choice together: a choice stays only when it is faster by the margin again,
        // so one lucky round on a shared host does not pick a tile.
        if problems.contains(where: { $0.chosen > 0 }) {
            let build = try write(graph, problems, choosing: \.chosen, tag: "confirm", name: name, directory: directory,
                                  session: session, options: options, weights: false)
            try compile([build], &progress)
            let confirm = try load(build, weights: weights)
            progress.update("tune: confirming the choices against the cost model's tiles (\(reps) paired forwards)")
            let times = try paired(confirm, model)
            for k in problems.indices where problems[k].chosen > 0 {
                problems[k].confirmation = times[k]
                if times[k].0 / max(times[k].1, 1e-12) >= 1 - margin {
                    problems[k].unconfirmed = problems[k].chosen
                    problems[k].chosen = 0
                }
            }
        }
        progress.clear()
        return (annotated(graph, problems), problems)
    }

    /// One library to build: its name, directory and the .m2w it opens.
    struct Build {
        var name: String, directory: String
        var weights: String { "\(directory)/\(name).m2w" }
    }

    /// Writes the library of `graph` with the `choosing(problem)`-th candidate of every problem (no .m2w unless
    /// `weights`: the builds share round 0's).
    private func write(_ graph: Graph, _ problems: [Problem], choosing: (Problem) -> Int, tag: String, name: String,
                       directory: String, session: CompilerSession, options: CPUEmitOptions, weights: Bool) throws -> Build {
        var trial = graph
        for p in problems {
            for i in p.ops { TileAnnotation.record(p.candidates[choosing(p)], on: &trial.ops[i]) }
        }
        let build = Build(name: "\(name)_tune_\(tag)", directory: "\(directory)/\(tag)")
        try makeDirectory(build.directory)
        do {
            let library = try CPUEmitter.emit(graph: trial, weights: weights ? session.weights : nil, name: build.name, options: options)
            try library.write(to: build.directory)
        } catch {
            Console.error("error: \(error)\n")
            throw ReportedFailure()
        }
        return build
    }

    /// Builds the libraries with -DM2_PROFILE, side by side: they are independent C compiles.
    private func compile(_ builds: [Build], _ progress: inout ProgressLine) throws {
        let flags = cflags + " -DM2_PROFILE"
        progress.update("tune: building \(builds.count) librar\(builds.count == 1 ? "y" : "ies") (\(compiler ?? "cc") \(flags))")
        let failures = Failures(), directories = builds.map(\.directory), compiler = self.compiler
        DispatchQueue.concurrentPerform(iterations: builds.count) { i in
            do { try LibraryBuilder.build(directory: directories[i], compiler: compiler, cflags: flags) } catch {
                failures.append("\(error)")
            }
        }
        if let first = failures.first {
            progress.clear()
            Console.error("error: \(first)\n")
            throw ReportedFailure()
        }
    }

    private func load(_ build: Build, weights: String) throws -> GeneratedLibrary {
        let library = try GeneratedLibrary(directory: build.directory, name: build.name, weights: weights)
        if let threads { try library.setThreads(threads) }
        return library
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
            let note: String
            let percent = "\(Int((100 * margin).rounded()))%"
            if p.candidates.count == 1 {
                note = "the cost model's tiles, the only candidate"
            } else if p.chosen > 0, let m = p.paired[p.chosen] {
                note = "\(Self.decimal(m.candidate)) ms/forward over \(p.ops.count) matmul(s) against \(Self.decimal(m.model)) with the cost model's "
                    + "\(p.candidates[0].annotation) (\(Self.ratio(m))×, \(p.confirmation.map { "\(Self.ratio($0))× again" } ?? "not confirmed") with every "
                    + "choice built together); \(p.candidates.count) candidates, \(setting)"
            } else if let u = p.unconfirmed, let m = p.paired[u], let c = p.confirmation {
                note = "the cost model's tiles: \(p.candidates[u].annotation) was \(Self.ratio(m))× in its round but \(Self.ratio(c))× with every "
                    + "choice built together, not \(percent) faster twice; \(p.candidates.count) candidates, \(setting)"
            } else {
                let best = p.ratio.compactMap { $0 }.min() ?? 1
                note = "the cost model's tiles: no other of \(p.candidates.count) candidates was \(percent) faster "
                    + "(best \(Self.decimal(best))×); \(setting)"
            }
            for i in p.ops { TileAnnotation.record(p.candidates[p.chosen], on: &result.ops[i], tuned: note) }
        }
        return result
    }

    private static func decimal(_ x: Double) -> String { String(format: "%.3f", x) }
    private static func ratio(_ m: (candidate: Double, model: Double)) -> String { decimal(m.candidate / max(m.model, 1e-12)) }

    /// One line per problem for the compile's log: what it chose and how much it measured.
    static func summary(_ problems: [Problem]) -> String {
        var text = "tune: \(problems.count) GEMM problem(s)\n"
        for p in problems {
            let again = p.confirmation.map { ", \(ratio($0))× again" } ?? ""
            let r: String
            if p.chosen > 0, let m = p.paired[p.chosen] {
                r = "\(ratio(m))×" + again
            } else if let u = p.unconfirmed, let m = p.paired[u] {
                r = "kept (\(p.candidates[u].annotation): \(ratio(m))×" + again + ")"
            } else {
                r = "kept"
            }
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
