import ArgumentParser
import Foundation
import M2IR
import M2Passes
import M2Reference
import M2Weights

/// `m2c run MODEL --weights W --inputs IN -o OUT`: executes the model and writes every selected output.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model on token ids and write its outputs (safetensors).",
        discussion: "Outputs are written under the model's output names (last_hidden_state, pooled_output, pooled_output_mean, mlm_logits, …) as F32; with --probes also the probes.")

    enum Engine: String, ExpressibleByArgument, CaseIterable { case reference, cpu, cuda }

    @OptionGroup var model: ModelOptions

    @OptionGroup var cpu: CPUTargetOptions

    @OptionGroup var cuda: CUDATargetOptions

    @Option(help: ArgumentHelp("Safetensors file with the inputs (input_ids, and token_type_ids / attention_mask when present), I32 [B, L].", valueName: "FILE"))
    var inputs: String?

    @Option(name: .customLong("random-inputs"), help: ArgumentHelp("Use deterministic random token ids instead of --inputs.", valueName: "SEED"))
    var randomInputs: UInt64?

    @Option(help: "Batch size for --random-inputs.")
    var batch: Int = 1

    @Option(name: .shortAndLong, help: "Output safetensors file.")
    var output: String

    @Option(help: "Execution engine: reference (Float64 interpreter over the un-lowered IR), cpu (compiles, builds and runs the generated C library) or cuda (the same with the CUDA library, on the GPU).")
    var engine: Engine = .reference

    @Option(help: ArgumentHelp("Compare every output also present in this safetensors file (e.g. a golden io file) and exit non-zero if one is off: max|out − ref| ≤ 2e-5·std(ref).", valueName: "FILE"))
    var compare: String?

    /// Tolerances against the original float32 model (../shared/golden/README.md): the Float64 reference,
    /// and generated float32 code.
    var tolerance: Double {
        switch engine {
        case .reference: return 2e-5
        case .cpu: return 1e-4
        case .cuda: return cuda.tolerance
        }
    }

    func validate() throws {
        if (inputs == nil) == (randomInputs == nil) { throw ValidationError("give exactly one of --inputs FILE or --random-inputs SEED") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if engine != .cpu && cpu.choosesTiles {
            throw ValidationError(CPUTargetOptions.tilesNeedTheCPU + "; they apply to --engine cpu only")
        }
    }

    func run() throws {
        let session = try CompilerSession.open(model, requireWeights: true)
        let graph = session.model.graph
        let modelInputs: ModelInputs
        do {
            if let path = inputs {
                modelInputs = try ModelInputs.read(try SafetensorsFile(path: path), for: graph)
            } else {
                try MemoryCheck.reference(graph, batch: batch)
                modelInputs = ModelInputs.random(for: graph, batch: batch, vocab: ModelInputs.vocabulary(of: graph), seed: randomInputs ?? 0)
            }
        } catch let e as InputError {
            Console.error("error: \(e.description)\n"); throw ReportedFailure()
        } catch let e as WeightsError {
            Console.error("error: \(e.description)\n"); throw ReportedFailure()
        }

        let results: [String: Tensor64]
        do {
            switch engine {
            case .reference:
                results = try ReferenceInterpreter(graph: graph, weights: session.weights)
                    .run(inputValues: modelInputs.tensors, batch: modelInputs.batch)
            case .cpu, .cuda:
                results = try runCompiled(session, modelInputs)
            }
        } catch let failure as ReportedFailure {
            throw failure
        } catch {
            Console.error("error: \(error)\n"); throw ReportedFailure()
        }
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for out in graph.outputs {
            guard let t = results[out.name] else { continue }
            tensors.append((out.name, t.shape, t.values.map { Float($0) }))
        }
        do { try SafetensorsWriter.write(path: output, floatTensors: tensors) } catch {
            Console.error("error: \(error.description)\n"); throw ReportedFailure()
        }
        Console.error("wrote \(tensors.count) output(s) for batch \(modelInputs.batch) to \(output)\n")
        if let compare { try compareOutputs(results, graph: graph, with: compare) }
    }

    /// Compiles the engine's pipeline (long convolutions in Monarch-FFT form) to C or CUDA in a temporary directory,
    /// builds it and runs it once.
    private func runCompiled(_ session: CompilerSession, _ inputs: ModelInputs) throws -> [String: Tensor64] {
        if engine != .cuda {
            try cpu.requireKernelsRunHere("run --engine cpu", hint: "run it where it runs, or check it here with m2c verify --cc CROSS-CC --run-under EMULATOR")
        }
        let pipeline = engine == .cuda ? cuda.pipeline(cpu) : cpu.pipeline
        let graph = try session.runPasses(try CompilerSession.pipeline(pipeline, upTo: nil))
        let directory = try CPUBuild.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let library = engine == .cuda
            ? try CUDABuild.load(graph, session: session, name: graph.name, directory: directory, options: cuda.emitOptions)
            : try CPUBuild.load(try cpu.tiledGraph(graph, session: session, name: graph.name), session: session, name: graph.name,
                                directory: directory, options: cpu.emitOptions)
        return try library.forward(graph: graph, inputs: inputs.tensors, batch: inputs.batch)
            .mapValues { Tensor64(shape: $0.shape, values: $0.values) }
    }

    private func compareOutputs(_ results: [String: Tensor64], graph: Graph, with path: String) throws {
        let reference: SafetensorsFile
        do { reference = try SafetensorsFile(path: path) } catch {
            Console.error("error: \(error.description)\n"); throw ReportedFailure()
        }
        var table = ComparisonTable()
        for out in graph.outputs where reference.shape(of: out.name) != nil {
            guard let t = results[out.name], let shape = reference.shape(of: out.name) else { continue }
            let ref: [Double]
            do { ref = try reference.floats(out.name).map(Double.init) } catch {
                Console.error("error: \(error.description)\n"); throw ReportedFailure()
            }
            table.add(out.name, output: t.values, outputShape: t.shape, reference: ref, referenceShape: shape,
                      tolerance: tolerance)
        }
        guard !table.rows.isEmpty else {
            Console.error("error: \(path) holds none of the model's outputs (\(graph.outputs.map(\.name).joined(separator: ", ")))\n")
            throw ReportedFailure()
        }
        print("engine \(engine.rawValue) vs \(path):")
        print(table.render(), terminator: "")
        guard table.passed else { throw ReportedFailure() }
    }
}
