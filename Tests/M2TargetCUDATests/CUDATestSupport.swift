import Foundation
import M2Frontend
import M2Import
import M2IR
import M2Passes
import M2TargetCPU
import M2TargetCUDA
import M2Weights
import Testing

/// Models, toolchain and scratch directories for the CUDA target's tests.
enum CUDATestSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// nvcc from $M2C_NVCC, PATH or the repository's .venv-cuda (scripts/setup.sh installs it there; CI runs setup).
    static let toolchain = NVCCToolchain.locate(searchRoot: repoRoot.path)

    static let missingNVCC: Comment = "SKIPPED: nvcc not found — run scripts/setup.sh (installs the CUDA wheels into .venv-cuda) or set M2C_NVCC"

    static func scratchDirectory(_ tag: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-cuda-\(tag)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// An M2-BERT graph after the CUDA pipeline, with deterministic random weights: a golden fixture's config
    /// (`tiny`, `small`) imported as m2c import does, or `base` = examples/m2-bert-base.m2 at `seqLen`.
    /// Compiled once per model (M2-BERT-base takes minutes in a debug build); only `assign-precision` differs
    /// between precisions, so each call re-runs just that pass.
    static func model(_ which: String, seqLen: Int = 512, precision: CUDAPrecision) throws -> (Graph, WeightStore) {
        let key = "\(which)@\(seqLen)"
        cacheLock.lock()
        defer { cacheLock.unlock() }
        let (fp32Graph, weights) = try cache[key] ?? compile(which, seqLen: seqLen)
        cache[key] = (fp32Graph, weights)
        var graph = fp32Graph
        var context = PassContext(weights: weights)
        try PassPipeline([AssignPrecision(precision: precision.rawValue)]).run(&graph, context: &context)
        return (graph, weights)
    }

    nonisolated(unsafe) private static var cache: [String: (Graph, WeightStore)] = [:]
    private static let cacheLock = NSLock()

    /// The CUDA pipeline's graph in fp32 (whose precision annotations `AssignPrecision` overwrites).
    private static func compile(_ which: String, seqLen: Int) throws -> (Graph, WeightStore) {
        var options = ElaborationOptions()
        let source: String, file: String
        if which == "base" {
            file = repoRoot.appendingPathComponent("examples/m2-bert-base.m2").path
            source = try String(contentsOfFile: file, encoding: .utf8)
            options.paramOverrides["seq_len"] = .int(seqLen)
        } else {
            file = repoRoot.appendingPathComponent("Tests/Fixtures/golden/\(which).config.json").path
            let config = try CheckpointConfig.parse(try Data(contentsOf: URL(fileURLWithPath: file)), path: file)
            source = ModelWriter.source(for: config, configPath: file)
        }
        let model = try Frontend.elaborate(source: source, fileName: file, options: options)
        let specs = model.graph.weights.compactMap { op -> (key: String, shape: [Int])? in
            if case .weight(let key) = op.kind { return (key, op.type.shape) } else { return nil }
        }
        let weights = WeightStore([RandomWeights.make(specs: specs, seed: 3)])
        var graph = model.graph
        var context = PassContext(weights: weights)
        try PassPipeline(PassRegistry.cudaPipeline(precision: CUDAPrecision.fp32.rawValue)).run(&graph, context: &context)
        return (graph, weights)
    }

    /// Runs nvcc in `directory`; a failure records nvcc's output in the test's issue.
    @discardableResult
    static func nvcc(_ toolchain: NVCCToolchain, _ arguments: [String], in directory: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try toolchain.run(arguments, in: directory)
        #expect(result.status == 0, "nvcc \(arguments.joined(separator: " ")) failed:\n\(result.output.suffix(4000))",
                sourceLocation: sourceLocation)
        return result.output
    }
}
