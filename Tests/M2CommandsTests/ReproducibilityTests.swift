import Foundation
import Testing
@testable import M2Commands
import M2Weights

/// Same inputs → same bytes; separate handles are independent.
@Suite("Reproducibility and concurrency", .serialized)
struct ReproducibilityTests {
    let tmp = Fixtures.scratchDirectory("m2c-repro")

    func weights(_ fixture: String) throws -> [String] {
        ["--weights", try #require(Fixtures.golden(fixture, "weights.safetensors")).path,
         "--weights", try #require(Fixtures.golden(fixture, "pooler.safetensors")).path]
    }

    /// No timestamps, no hash-map order: two compiles of the same model give byte-identical directories.
    @Test func compilingTwiceGivesIdenticalBytes() throws {
        let model = "\(tmp)/small.m2"
        #expect(try m2c(["import", try #require(Fixtures.golden("small", "config.json")).path, "-o", model]))
        for i in 0..<2 {
            #expect(try m2c(["compile", model] + (try weights("small")) + ["-o", "\(tmp)/out\(i)", "--dump-ir", "\(tmp)/dump\(i)"]))
        }
        for sub in ["out", "dump"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(tmp)/\(sub)0").sorted()
            #expect(files == (try FileManager.default.contentsOfDirectory(atPath: "\(tmp)/\(sub)1").sorted()))
            #expect(!files.isEmpty)
            for f in files {
                let a = try Data(contentsOf: URL(fileURLWithPath: "\(tmp)/\(sub)0/\(f)"))
                let b = try Data(contentsOf: URL(fileURLWithPath: "\(tmp)/\(sub)1/\(f)"))
                #expect(a == b, "\(sub)/\(f) differs between two compiles")
            }
        }
        let header = try String(contentsOfFile: "\(tmp)/out0/small.h", encoding: .utf8)
        #expect(header.contains("_M2C_VERSION \"\(M2CVersion.string)\"") && header.contains("_MODEL_HASH \""))
    }

    /// Two handles of one compiled model used from two threads at once give the sequential results.
    @Test func twoContextsOnTwoThreadsMatchSequentialUse() throws {
        let model = "\(tmp)/tiny.m2"
        #expect(try m2c(["import", try #require(Fixtures.golden("tiny", "config.json")).path, "-o", model]))
        let dir = "\(tmp)/lib"
        #expect(try m2c(["compile", model] + (try weights("tiny")) + ["-o", dir, "--build"]))
        var options = try ModelOptions.parse([model] + (try weights("tiny")))
        options.probes = false
        let session = try CompilerSession.open(options, requireWeights: true, log: { _ in })
        let graph = try session.runPasses(try CompilerSession.pipeline(upTo: nil))

        let libraries = try (0..<2).map { _ in try GeneratedLibrary(directory: dir, name: "tiny", weights: "\(dir)/tiny.m2w") }
        let inputs = (0..<2).map { ModelInputs.random(for: graph, batch: 3, vocab: 1000, seed: UInt64(10 + $0)) }
        let sequential = try (0..<2).map { try libraries[$0].forward(graph: graph, inputs: inputs[$0].tensors, batch: 3) }

        final class Results: @unchecked Sendable { var values: [[String: [Double]]?] = [nil, nil]; var errors: [String] = [] }
        let results = Results()
        // Each thread uses its own handle (the C API's rule); the box only carries them into the closure.
        final class Handles: @unchecked Sendable { let libraries: [GeneratedLibrary]; init(_ l: [GeneratedLibrary]) { libraries = l } }
        let handles = Handles(libraries)
        let lock = NSLock()
        for _ in 0..<5 {
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                do {
                    let out = try handles.libraries[i].forward(graph: graph, inputs: inputs[i].tensors, batch: 3).mapValues(\.values)
                    lock.lock(); results.values[i] = out; lock.unlock()
                } catch {
                    lock.lock(); results.errors.append("\(error)"); lock.unlock()
                }
            }
            #expect(results.errors.isEmpty, "\(results.errors)")
            for i in 0..<2 {
                for (name, seq) in sequential[i] {
                    #expect(results.values[i]?[name] == seq.values, "handle \(i) output \(name) differs under concurrency")
                }
            }
        }
        #expect(sequential[0]["last_hidden_state"]?.values != sequential[1]["last_hidden_state"]?.values,
                "the two handles were given different inputs")
    }
}
