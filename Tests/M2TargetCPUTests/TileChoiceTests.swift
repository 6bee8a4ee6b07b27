import Foundation
import M2IR
import M2TargetCPU
import M2Weights
import Testing

/// Tiles that do not come from the cost model: `--tune`'s candidates and the `tile` annotations the emitter
/// runs as recorded (from --tune or an IR file, `--tiles`). Every candidate must compute the same product, and
/// a recorded tile the kernels cannot run must be an error that names the op, never wrong code.
@Suite("GEMM tiles: --tune candidates, recorded tiles, IR tile records", .serialized)
struct TileChoiceTests {
    static let options = CPUEmitOptions(isa: CPUISA.native(), gemm: .m2c, caches: .defaults)

    /// `graph` with the round-th candidate (the last one where a problem has fewer) on every tiled matmul.
    static func withCandidates(_ graph: Graph, round: Int, options: CPUEmitOptions) -> Graph {
        var result = graph
        for (i, problem) in GemmProblem.all(in: graph) {
            let candidates = TilingModel.candidates(for: problem, options: options)
            TileAnnotation.record(candidates[min(round, candidates.count - 1)], on: &result.ops[i])
        }
        return result
    }

    static func rounds(_ graph: Graph, options: CPUEmitOptions) -> Int {
        GemmProblem.all(in: graph).map { TilingModel.candidates(for: $0.problem, options: options).count }.max() ?? 0
    }

    /// Builds and runs `model` with every candidate round's tiles and compares it with the reference.
    func checkEveryRound(_ model: TestModels.Model, name: String, caches: CacheSizes, cflags: String = CHarness.strict,
                         openMP: Bool = true, isa: CPUISA = CPUISA.native(), compiler: String = "gcc",
                         runner: [String] = []) throws {
        var options = Self.options
        options.caches = caches
        options.isa = isa
        let rounds = Self.rounds(model.graph, options: options)
        #expect(rounds >= 3, "\(name): only \(rounds) candidate round(s), the test would check little")
        let expected = try ReferenceEvaluator(graph: model.graph, weights: model.weights, inputs: model.inputs,
                                              batch: model.batch).outputs()
        for round in 0..<rounds {
            let graph = Self.withCandidates(model.graph, round: round, options: options)
            let library = try CPUEmitter.emit(graph: graph, weights: model.weights, name: name, options: options)
            let source = try #require(library.text("\(name).c"))
            if round > 0 { #expect(source.contains("recorded in the IR"), "round \(round): the emitter did not run the recorded tiles") }
            let harness = try CHarness(library, compiler: compiler, cflags: cflags, openMP: openMP, runner: runner)
            defer { harness.remove() }
            let (status, output) = try harness.run(try harness.driver(TestModels.driver(model, library: name)), [harness.weightsPath])
            #expect(status == 0 && !output.contains("error"), "round \(round): \(output)")
            let got = parseOutputs(output)
            #expect(got.count == expected.count)
            for (output, err) in maxRelativeError(got, expected) {
                #expect(err <= 1e-5, "\(name), \(isa), round \(round), L2 \(caches.l2): \(output) differs by \(err)")
            }
        }
    }

    @Test("every candidate round computes the plain GEMM cases and the GLU epilogues (gcc, OpenMP; machine and tiny caches)")
    func everyCandidateComputesTheSameProduct() throws {
        for caches in [CacheSizes.defaults, GemmKernelTests.tinyCaches] {
            try checkEveryRound(try GemmKernelTests.model(), name: "gemm_cases", caches: caches)
            try checkEveryRound(try GLUEpilogueTests.model(), name: "glu_epilogues", caches: caches)
        }
    }

    /// --tune times the candidates of whichever ISA the compile names (--cpu-isa), not only the native one.
    @Test("every candidate round with the avx2 and portable C micro-kernels (gcc, OpenMP; machine caches)")
    func everyCandidateOnTheOtherKernels() throws {
        for isa in [CPUISA.avx2, .generic] where isa != CPUISA.native() && isa.runsHere {
            try checkEveryRound(try GemmKernelTests.model(), name: "gemm_cases", caches: .defaults, isa: isa)
            try checkEveryRound(try GLUEpilogueTests.model(), name: "glu_epilogues", caches: .defaults, isa: isa)
        }
    }

    @Test("every candidate round under ASan + UBSan (gcc, no OpenMP, tiny caches)")
    func everyCandidateSanitized() throws {
        try checkEveryRound(try GemmKernelTests.model(), name: "gemm_cases", caches: GemmKernelTests.tinyCaches,
                            cflags: CHarness.sanitized, openMP: false)
        try checkEveryRound(try GLUEpilogueTests.model(), name: "glu_epilogues", caches: GemmKernelTests.tinyCaches,
                            cflags: CHarness.sanitized, openMP: false)
    }

    @Test("candidates: the cost model's first, distinct, one tile size changed, each one a tile the kernels accept")
    func candidatesAreValidMoves() throws {
        let problems = [
            GemmProblem(rowsPerItem: 128, blocks: 1, outPerBlock: 2304, inPerBlock: 768, epilogue: ["bias"]),
            GemmProblem(rowsPerItem: 8192, blocks: 4, outPerBlock: 192, inPerBlock: 768, epilogue: ["bias", "residual"]),
            GemmProblem(rowsPerItem: 512, blocks: 2, outPerBlock: 1536, inPerBlock: 192, wholeK: true, inputSlices: 2,
                        epilogue: ["glu_gelu"]),
            GemmProblem(rowsPerItem: 1, blocks: 1, outPerBlock: 768, inPerBlock: 768, epilogue: ["bias", "tanh"]),
            GemmProblem(rowsPerItem: 37, blocks: 1, outPerBlock: 70, inPerBlock: 300),
        ]
        for isa in CPUISA.allCases {
            let options = CPUEmitOptions(isa: isa, gemm: .m2c, caches: CacheSizes(l1d: 32 << 10, l2: 1 << 20))
            for problem in problems {
                let candidates = TilingModel.candidates(for: problem, options: options)
                #expect(candidates.first == TilingModel.tiling(for: problem, options: options))
                #expect(Set(candidates.map(\.annotation)).count == candidates.count, "\(problem): repeated candidates")
                #expect(candidates.count >= 2, "\(problem), \(isa): nothing to tune")
                for t in candidates {
                    let base = candidates[0]
                    let changed = [t.mc != base.mc, t.nc != base.nc, t.kc != base.kc].filter { $0 }.count
                    #expect(t == base || changed == 1, "\(problem): \(t.annotation) moves more than one tile size")
                    if problem.wholeK { #expect(t.kc == problem.inPerBlock, "\(problem): a GLU candidate splits k") }
                    #expect(t.columnBlocks == (problem.outPerBlock + t.nc - 1) / t.nc)
                    var op = Op(kind: .blockDiagMatmul(outFeatures: 1), operands: [], result: ValueID(0), type: .f32([1]))
                    op.annotations = ["tile": .string(t.annotation), "kernel": .string(t.kernel)]
                    let recorded = try TileAnnotation.recorded(on: op, problem: problem, options: options)
                    #expect(recorded?.annotation == t.annotation, "\(problem), \(isa): \(t.annotation) is not accepted back")
                }
            }
        }
        // cblas_sgemm has no tiles to choose.
        let blas = CPUEmitOptions(isa: .generic, gemm: .openblas, caches: .defaults)
        #expect(TilingModel.candidates(for: problems[0], options: blas).count == 1)
    }

    /// One dense GEMM, 40 rows, 96 → 64, emitted with `tile` (and `kernel`) annotations: the emitter's error text.
    static func emitError(tile: AttrValue, kernel: String? = nil, glu: Bool = false) throws -> String? {
        var b = GraphBuilder(name: "tile_error")
        let tensors = InMemoryTensors(origin: "test")
        let m = glu ? 128 : 64
        tensors.insert("w", shape: [m, 96], values: TestModels.values(m * 96, seed: 3))
        let w = try b.weight("w", shape: [m, 96])
        let x = try b.input("x", type: .f32([40, 96], batched: true))
        let y = try b.add(glu ? .fusedMatmul(outFeatures: m, epilogue: [.glu(.gelu)]) : .blockDiagMatmul(outFeatures: m), [x, w])
        b.output("y", y)
        var graph = b.graph
        let index = try #require(graph.ops.firstIndex { $0.result == y })
        graph.ops[index].annotations["tile"] = tile
        if let kernel { graph.ops[index].annotations["kernel"] = .string(kernel) }
        do {
            _ = try CPUEmitter.emit(graph: graph, weights: WeightStore([tensors]), name: "tile_error",
                                    options: CPUEmitOptions(isa: .avx2, gemm: .m2c, caches: .defaults))
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a recorded tile the kernels cannot run is an error naming the op and what was expected")
    func badRecordedTilesAreErrors() throws {
        // The avx2 kernel is 6 × 16; 40 rows, k 96, 64 columns.
        #expect(try Self.emitError(tile: .string("mr=6,nr=16,kc=96,mc=12,nc=32")) == nil)
        #expect(try Self.emitError(tile: .string("mr=6,nr=16,kc=32,mc=12,nc=32")) == nil)   // a k split
        let cases: [(AttrValue, String?, Bool, String)] = [
            (.string("mr=8,nr=32,kc=96,mc=16,nc=32"), nil, false, "register tile is mr=6,nr=16"),
            (.string("mr=6,nr=16,kc=96,mc=12,nc=32"), "avx512", false, "chosen for the avx512 kernel, this compile runs avx2"),
            (.string("mr=6,nr=16,kc=96,mc=10,nc=32"), nil, false, "mc=10 is not a multiple of mr=6"),
            (.string("mr=6,nr=16,kc=96,mc=12,nc=24"), nil, false, "nc=24 is not a multiple of the weight panels' nr=16"),
            (.string("mr=6,nr=16,kc=96,mc=12,nc=80"), nil, false, "wider than the block's 64 columns"),
            (.string("mr=6,nr=16,kc=128,mc=12,nc=32"), nil, false, "more than the block's k of 96"),
            (.string("mr=6,nr=16,kc=40,mc=12,nc=32"), nil, false, "must be a multiple of 16"),
            (.string("mr=6,nr=16,kc=48,mc=12,nc=64"), nil, true, "a GLU epilogue needs whole k: kc=96"),
            (.string("mr=6,nr=16,kc=96,mc=12"), nil, false, "expected all of mr, nr, kc, mc, nc"),
            (.string("mr=6,nr=16,kc=96,mc=0,nc=32"), nil, false, "positive integers"),
            (.string("mr=6,nr=16,kc=96,mc=12,nc=32,mc=12"), nil, false, "each once"),
            (.string("mr=6;nr=16"), nil, false, "expected mr=,nr=,kc=,mc=,nc="),
            (.int(3), nil, false, "expected a string"),
        ]
        for (tile, kernel, glu, expected) in cases {
            let message = try Self.emitError(tile: tile, kernel: kernel, glu: glu)
            #expect(message?.contains(expected) == true, "\(tile): \(message ?? "accepted")")
            #expect(message?.contains("matmul : f32[B,40,") == true, "the message does not name the op: \(message ?? "-")")
        }
    }

    @Test("IR tile records: read from printed IR, applied by position with line and column, mismatches refused")
    func tileRecordsRoundTrip() throws {
        let model = try GemmKernelTests.model()
        let options = CPUEmitOptions(isa: .avx2, gemm: .m2c, caches: .defaults)
        let tuned = Self.withCandidates(model.graph, round: 2, options: options)
        var annotated = TilingModel.annotate(tuned, options: options)
        let first = try #require(GemmProblem.all(in: annotated).first?.op)
        annotated.ops[first].annotations["tuned"] = .string("a note with \"quotes\", a comma, */ and a\nline break")
        let text = IRPrinter.print(annotated)
        let records = try TileRecords.records(in: text, file: "t.ir")
        #expect(records.count == GemmKernelTests.cases.count)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for r in records {
            let line = String(lines[r.line - 1])
            #expect(Array(line)[r.column - 3 ..< r.column - 1] == ["#", "{"], "column \(r.column) of '\(line)'")
        }
        #expect(records.first?.annotations["tuned"] == "a note with \"quotes\", a comma, */ and a\nline break")

        // Applied to the graph without tiles, the records give back the annotated graph's tiles, and its C.
        let applied = try TileRecords.apply(text, file: "t.ir", to: model.graph, options: options)
        for (i, _) in GemmProblem.all(in: model.graph) {
            #expect(applied.ops[i].annotations["tile"] == annotated.ops[i].annotations["tile"])
        }
        let a = try CPUEmitter.emit(graph: applied, weights: model.weights, name: "g", options: options)
        let b = try CPUEmitter.emit(graph: annotated, weights: model.weights, name: "g", options: options)
        #expect(a.text("g.c") == b.text("g.c"))
        #expect(try #require(a.text("g.c")).contains("tuned: a note with \"quotes\", a comma, * / and a line break"))

        // Another model: fewer matmuls, or the same count with another type.
        var fewer = model.graph
        fewer.ops.removeAll { if case .blockDiagMatmul = $0.kind { return $0.type.shape.first == 9 } else { return false } }
        #expect(throws: TileRecords.Failure.self) { try TileRecords.apply(text, file: "t.ir", to: fewer, options: options) }
        let otherType = text.replacingOccurrences(of: ": f32[B,37,70] #{", with: ": f32[B,38,70] #{")
        #expect(otherType != text)
        do {
            _ = try TileRecords.apply(otherType, file: "t.ir", to: model.graph, options: options)
            Issue.record("a record of another type was applied")
        } catch {
            #expect(error.description.hasPrefix("t.ir:") && error.description.contains("f32[B,38,70] is tiled here"), "\(error)")
        }
        // A tile another ISA chose: refused at its line and column.
        do {
            _ = try TileRecords.apply(text, file: "t.ir", to: model.graph, options: CPUEmitOptions(isa: .generic, gemm: .m2c))
            Issue.record("avx2 tiles were applied to a generic compile")
        } catch {
            #expect(error.description.contains("t.ir:\(records[0].line):\(records[0].column):"), "\(error)")
        }
        // Unclosed annotations and bad escapes.
        for broken in [#"%1 = block_diag_matmul %0 : f32[4] #{tile = "mr=6"#, #"%1 = block_diag_matmul %0 : f32[4] #{tile = "\q"}"#] {
            #expect(throws: TileRecords.Failure.self) { try TileRecords.records(in: broken, file: "b.ir") }
        }
    }

    @Test("IR tile records: mutated and truncated files are records or errors, never a crash")
    func mutatedTileFilesAreErrorsNotCrashes() throws {
        let model = try GemmKernelTests.model()
        let options = CPUEmitOptions(isa: .avx2, gemm: .m2c, caches: .defaults)
        var annotated = TilingModel.annotate(model.graph, options: options)
        let first = try #require(GemmProblem.all(in: annotated).first?.op)
        annotated.ops[first].annotations["tuned"] = .string("note \u{1b} with \"quotes\"")
        let text = Array(IRPrinter.print(annotated).utf8)
        let alphabet = Array("\\\"{}[],=#%: u0123456789abcdef\n".utf8)
        var state: UInt64 = 7
        func next() -> UInt64 {   // Knuth's MMIX LCG, high bits: deterministic mutations
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 24
        }
        var accepted = 0, refused = 0
        for _ in 0..<3000 {
            var bytes = text
            for _ in 0..<(1 + Int(next() % 4)) {
                let at = Int(next() % UInt64(bytes.count))
                switch next() % 3 {
                case 0: bytes[at] = alphabet[Int(next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes = Array(bytes[..<at])
                }
                if bytes.isEmpty { break }
            }
            let mutated = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try TileRecords.apply(mutated, file: "m.ir", to: model.graph, options: options)
                accepted += 1
            } catch {
                #expect(error.description.hasPrefix("m.ir"), "\(error)")
                refused += 1
            }
        }
        #expect(accepted > 0 && refused > 0, "accepted \(accepted), refused \(refused)")
    }
}
