import Foundation
import M2IR
import M2TargetCPU
import M2Weights
import Testing

@Suite("CPU target: generated C against reference loops", .serialized)
struct CPUEmitterTests {
    /// Emits, builds with `compiler`, runs the driver and compares every output with the reference.
    func check(_ model: TestModels.Model, name: String, compiler: String, cflags: String = CHarness.strict,
               openMP: Bool = true) throws {
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: name)
        let harness = try CHarness(library, compiler: compiler, cflags: cflags, openMP: openMP)
        defer { harness.remove() }
        let exe = try harness.driver(TestModels.driver(model, library: name))
        let (status, output) = try harness.run(exe, [harness.weightsPath])
        #expect(status == 0, "driver failed: \(output)")
        #expect(!output.contains("error"), "\(output)")
        let expected = try ReferenceEvaluator(graph: model.graph, weights: model.weights, inputs: model.inputs,
                                              batch: model.batch).outputs()
        let actual = parseOutputs(output)
        #expect(Set(actual.keys) == Set(expected.keys))
        for (output, err) in maxRelativeError(actual, expected) {
            #expect(err <= 1e-5, "\(name) with \(compiler): output \(output) differs by \(err) (relative to scale)")
        }
    }

    @Test("every op kind, gcc with OpenMP")
    func everyOpGCC() throws {
        try check(try TestModels.everyOp(), name: "every_op", compiler: "gcc")
    }

    @Test("every op kind, clang with OpenMP (libomp)", .enabled(if: CHarness.hasCompiler("clang")))
    func everyOpClang() throws {
        try check(try TestModels.everyOp(), name: "every_op", compiler: "clang")
    }

    @Test("every op kind, gcc without OpenMP, ASan + UBSan")
    func everyOpSanitized() throws {
        try check(try TestModels.everyOp(), name: "every_op", compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
    }

    @Test("NULL outputs are not computed: the wanted ones are bit-identical to a forward that wants all, ASan + UBSan")
    func nullOutputsSkipTheirOps() throws {
        let model = try TestModels.everyOp()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "every_op")
        // The ops that only NULL outputs read are guarded by those outputs' pointers.
        let source = try #require(library.text("every_op.c"))
        #expect(source.contains("    if (out->u_exp) {"))
        let harness = try CHarness(library, compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
        defer { harness.remove() }
        let names = model.graph.outputs.map(\.name)
        let null = Set(names.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
        var printed: [[String: String]] = []
        for skipped in [Set<String>(), null] {
            let (status, output) = try harness.run(try harness.driver(TestModels.driver(model, library: "every_op", null: skipped)),
                                                   [harness.weightsPath])
            #expect(status == 0 && !output.contains("error"), "\(output)")
            var lines: [String: String] = [:]
            for line in output.split(separator: "\n") where line.hasPrefix("out ") {
                lines[String(line.split(separator: " ")[1])] = String(line)
            }
            printed.append(lines)
        }
        #expect(Set(printed[0].keys) == Set(names))
        #expect(Set(printed[1].keys) == Set(names).subtracting(null))
        for name in printed[1].keys { #expect(printed[1][name] == printed[0][name], "output \(name)") }
    }

    @Test("M2-like chain (gather, layer norm, short conv, long convs, GLU with block padding), gcc and clang")
    func chain() throws {
        try check(try TestModels.chain(), name: "chain", compiler: "gcc")
        if CHarness.hasCompiler("clang") {
            try check(try TestModels.chain(), name: "chain", compiler: "clang", cflags: CHarness.sanitized, openMP: false)
        }
    }

    @Test("the embedded templates are the files in Templates/cpu (run embed-templates.sh after editing)")
    func embeddedTemplatesAreCurrent() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates/cpu")
        let model = try TestModels.chain()
        let embedded = try CPUEmitter.emit(graph: model.graph, weights: nil, name: "chain")
        let fromFiles = try CPUEmitter.emit(graph: model.graph, weights: nil, name: "chain",
                                            options: CPUEmitOptions(templateDirectory: dir.path))
        let differing = embedded.files.keys.filter { embedded.files[$0] != fromFiles.files[$0] }.sorted()
        #expect(differing.isEmpty, "generated files differ between embedded and on-disk templates: \(differing)")
    }

    @Test("header constants: sizes, vocabulary, arena, hash; same graph → same hash")
    func headerConstants() throws {
        let model = try TestModels.chain()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "chain")
        let header = try #require(library.text("chain.h"))
        #expect(header.contains("#define CHAIN_SEQ_LEN 5"))
        #expect(header.contains("#define CHAIN_HIDDEN 6"))
        #expect(header.contains("#define CHAIN_VOCAB 11"))
        #expect(header.contains("#define CHAIN_NUM_OUTPUTS 2"))
        #expect(header.contains("#define CHAIN_OUT_LAST_HIDDEN_STATE_SIZE 30"))
        #expect(header.contains("#define CHAIN_OUT_POOLED_SIZE 6"))
        #expect(header.contains("#define CHAIN_ARENA_BYTES_PER_ITEM \(library.arenaBytesPerItem)ULL"))
        #expect(header.contains(library.modelHash))
        #expect(header.contains("const int32_t *token_type_ids, /* input 'token_type_ids' i32, [batch][5]; NULL means every element is 0 */"))
        #expect(CPUEmitter.modelHash(of: try TestModels.chain().graph) == library.modelHash)
        #expect(CPUEmitter.modelHash(of: try TestModels.chain(vocab: 12).graph) != library.modelHash)
        // Liveness reuse: the plan needs less than one slot per batched value.
        let total = model.graph.ops.filter { $0.type.batched }.map { ($0.type.elementCount * 4 + 63) / 64 * 64 }.reduce(0, +)
        #expect(library.arenaBytesPerItem > 0 && library.arenaBytesPerItem < total)
    }

    @Test("bad library names and missing or misshapen weights are reported by name")
    func emitErrors() throws {
        let model = try TestModels.chain()
        #expect(throws: CPUEmitError.invalidName("1chain")) { try CPUEmitter.emit(graph: model.graph, weights: nil, name: "1chain") }
        #expect(throws: CPUEmitError.missingWeight(key: "word")) {
            try CPUEmitter.emit(graph: model.graph, weights: WeightStore(), name: "chain")
        }
        let wrong = InMemoryTensors(origin: "wrong")
        wrong.insert("word", shape: [3, 3], values: [Float](repeating: 0, count: 9))
        #expect(throws: CPUEmitError.weightShapeMismatch(key: "word", expected: [11, 6], found: [3, 3])) {
            try CPUEmitter.emit(graph: model.graph, weights: WeightStore([wrong, model.weights.sources[0]]), name: "chain")
        }
    }
}
