import ArgumentParser
import Foundation
import M2IR
import M2Reference
import M2Weights

/// `m2c run MODEL --weights W --inputs IN -o OUT`: executes the model and writes every selected output.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model on token ids and write its outputs (safetensors).",
        discussion: "Outputs are written under the model's output names (last_hidden_state, pooled_output, pooled_output_mean, mlm_logits, …) as F32; with --probes also the probes.")

    enum Engine: String, ExpressibleByArgument, CaseIterable { case reference }

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("Safetensors file with the inputs (input_ids, and token_type_ids / attention_mask when present), I32 [B, L].", valueName: "FILE"))
    var inputs: String?

    @Option(name: .customLong("random-inputs"), help: ArgumentHelp("Use deterministic random token ids instead of --inputs.", valueName: "SEED"))
    var randomInputs: UInt64?

    @Option(help: "Batch size for --random-inputs.")
    var batch: Int = 1

    @Option(name: .shortAndLong, help: "Output safetensors file.")
    var output: String

    @Option(help: "Execution engine: reference (Float64 interpreter over the un-lowered IR).")
    var engine: Engine = .reference

    func validate() throws {
        if (inputs == nil) == (randomInputs == nil) { throw ValidationError("give exactly one of --inputs FILE or --random-inputs SEED") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let session = try CompilerSession.open(model, requireWeights: true)
        let graph = session.model.graph
        let modelInputs: ModelInputs
        do {
            if let path = inputs {
                modelInputs = try ModelInputs.read(try SafetensorsFile(path: path), for: graph)
            } else {
                let vocab = graph.weights.compactMap { op -> Int? in
                    guard case .weight(let key) = op.kind, key.hasSuffix("word_embeddings.weight") else { return nil }
                    return op.type.shape.first
                }.first ?? 2
                modelInputs = ModelInputs.random(for: graph, batch: batch, vocab: vocab, seed: randomInputs ?? 0)
            }
        } catch let e as InputError {
            Console.error("error: \(e.description)\n"); throw ReportedFailure()
        } catch let e as WeightsError {
            Console.error("error: \(e.description)\n"); throw ReportedFailure()
        }

        let results: [String: Tensor64]
        do {
            results = try ReferenceInterpreter(graph: graph, weights: session.weights)
                .run(inputs: modelInputs.tensors, batch: modelInputs.batch)
        } catch {
            Console.error("error: \(error.description)\n"); throw ReportedFailure()
        }
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for out in graph.outputs {
            guard let t = results[out.name] else { continue }
            tensors.append((out.name, t.shape, t.values.map { Float($0) }))
        }
        do { try SafetensorsWriter.write(path: output, floats: tensors) } catch {
            Console.error("error: \(error.description)\n"); throw ReportedFailure()
        }
        Console.error("wrote \(tensors.count) output(s) for batch \(modelInputs.batch) to \(output)\n")
    }
}
