import Foundation
import Testing
@testable import M2Commands
import M2Weights

/// The example apps (examples/c-app, examples/swift-app) built against the tiny golden model compiled by m2c,
/// run as a user runs them, and their printed `pooled_output` values checked against the reference interpreter.
@Suite("example apps", .serialized)
final class ExampleAppsTests {
    let tmp = Fixtures.scratchDirectory("m2c-apps")

    // Each test gets its own instance; the SwiftPM scratch directory alone is tens of megabytes.
    deinit { try? FileManager.default.removeItem(atPath: tmp) }

    /// Token ids both apps get on their command line; within the tiny model's vocabulary of 1000.
    static let tokens: [Int32] = [101, 7, 42, 999, 3, 102]

    struct Finished {
        let status: Int32
        let stdout: String
        let stderr: String
        var log: String { "exit status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    /// Runs a program found on PATH (through /usr/bin/env), its output captured in files so neither pipe can fill.
    func execute(_ arguments: [String], in directory: String? = nil) throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let id = UUID().uuidString
        let outPath = "\(tmp)/\(id).out", errPath = "\(tmp)/\(id).err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Finished(status: process.terminationStatus,
                        stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                        stderr: try String(contentsOfFile: errPath, encoding: .utf8))
    }

    func m2c(_ args: [String]) throws {
        var command = try M2C.parseAsRoot(args)
        try command.run()
    }

    func golden(_ suffix: String) throws -> String {
        try #require(Fixtures.golden("tiny", suffix), "Tests/Fixtures/golden/tiny.\(suffix) is missing").path
    }

    /// `m2c import` + `m2c compile --target cpu --build` of the tiny golden model; returns (model, library dir).
    func compileTinyLibrary() throws -> (model: String, directory: String) {
        let model = "\(tmp)/tiny.m2", directory = "\(tmp)/tinylib"
        try m2c(["import", try golden("config.json"), "-o", model])
        try m2c(["compile", model, "--target", "cpu", "--weights", try golden("weights.safetensors"),
                 "--weights", try golden("pooler.safetensors"), "-o", directory, "--build"])
        return (model, directory)
    }

    /// The reference interpreter's pooled_output for the apps' batch: item 0 the tokens, item 1 the tokens
    /// reversed, both 0-padded to the sequence length with an attention mask of 1 on the tokens.
    func referencePooledOutput(model: String, sequenceLength: Int) throws -> [Float] {
        let padding = [Int32](repeating: 0, count: sequenceLength - Self.tokens.count)
        let mask = [Int32](repeating: 1, count: Self.tokens.count) + padding
        let ids = Self.tokens + padding + Self.tokens.reversed() + padding
        let inputs = "\(tmp)/inputs.safetensors", outputs = "\(tmp)/reference.safetensors"
        try SafetensorsWriter.write(path: inputs, int32Tensors: [("input_ids", [2, sequenceLength], ids),
                                                                 ("attention_mask", [2, sequenceLength], mask + mask)])
        try m2c(["run", model, "--weights", try golden("weights.safetensors"),
                 "--weights", try golden("pooler.safetensors"), "--inputs", inputs, "-o", outputs,
                 "--outputs", "pooled_output"])
        return try SafetensorsFile(path: outputs).floats("pooled_output")
    }

    /// Checks the `pooled_output[ITEM][0:N]: v v …` lines both apps print against the reference values.
    func expectPrintedValuesMatch(_ stdout: String, reference: [Float], itemSize: Int) throws {
        let lines = stdout.split(separator: "\n").filter { $0.hasPrefix("pooled_output[") }
        #expect(lines.count == 2, "one line per batch item in:\n\(stdout)")
        let mean = reference.reduce(0, +) / Float(reference.count)
        let std = (reference.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(reference.count)).squareRoot()
        for (item, line) in lines.enumerated() {
            #expect(line.hasPrefix("pooled_output[\(item)][0:8]: "), "\(line)")
            let printed = try line.split(separator: " ").dropFirst().map { word in
                try #require(Float(word), "not a number: '\(word)' in \(line)")
            }
            #expect(printed.count == 8, "\(line)")
            for (i, value) in printed.enumerated() {
                let expected = reference[item * itemSize + i]
                #expect(abs(value - expected) <= 1e-4 * std, "item \(item) value \(i): \(value) vs reference \(expected)")
            }
        }
        #expect(stdout.contains(" ms per batch of 2 "), "timing line in:\n\(stdout)")
    }

    @Test func cAppPrintsTheReferenceValuesAndReportsErrors() throws {
        let (model, library) = try compileTinyLibrary()
        let build = try execute(["make", "-C", Fixtures.example("c-app").path, "MODEL_DIR=\(library)", "MODEL=tiny",
                                 "BUILD_DIR=\(tmp)"])
        try #require(build.status == 0, "make -C examples/c-app failed:\n\(build.log)")

        let run = try execute(["\(tmp)/c-app", "\(library)/tiny.m2w", "-n", "2"] + Self.tokens.map { "\($0)" })
        try #require(run.status == 0, "c-app failed:\n\(run.log)")
        #expect(run.stdout.hasPrefix("model tiny, seq_len 64, batch 2, 6 token(s)\n"), "\(run.stdout)")
        try expectPrintedValuesMatch(run.stdout, reference: try referencePooledOutput(model: model, sequenceLength: 64),
                                     itemSize: 64)

        // Failures come back as the library's error string and detail, with exit status 1.
        let badToken = try execute(["\(tmp)/c-app", "\(library)/tiny.m2w", "5", "1000"])
        #expect(badToken.status == 1)
        #expect(badToken.stderr.contains("token id out of range (input 'input_ids': id 1000 at item 0, position 1"),
                "\(badToken.log)")
        let notWeights = try execute(["\(tmp)/c-app", "\(library)/tiny.h"])
        #expect(notWeights.status == 1)
        #expect(notWeights.stderr.contains("open failed: not an .m2w weights file"), "\(notWeights.log)")
    }

    @Test func swiftAppBuildsWithSwiftPMAndPrintsTheReferenceValues() throws {
        let (model, library) = try compileTinyLibrary()
        // A copy of the app, so linking the test model leaves the checkout's examples/swift-app as it was.
        let app = "\(tmp)/swift-app", source = Fixtures.example("swift-app").path
        try FileManager.default.createDirectory(atPath: "\(app)/Sources", withIntermediateDirectories: true)
        for item in ["Package.swift", "scripts", "Sources/SwiftApp"] {
            try FileManager.default.copyItem(atPath: "\(source)/\(item)", toPath: "\(app)/\(item)")
        }
        try? FileManager.default.removeItem(atPath: "\(app)/Sources/SwiftApp/Generated")

        let link = try execute(["bash", "\(app)/scripts/link-model.sh", library])
        try #require(link.status == 0, "link-model.sh failed:\n\(link.log)")
        #expect(link.stdout.contains("linked model tiny (TinyModel)"), "\(link.log)")

        let build = try execute(["swift", "build", "--package-path", app, "--scratch-path", "\(tmp)/swift-build"])
        let buildFailure: Comment = build.status == 127
            ? "`swift` is not on PATH: the Swift app test needs the toolchain that runs these tests"
            : "swift build of examples/swift-app failed:\n\(build.log)"
        try #require(build.status == 0, buildFailure)

        let binary = "\(tmp)/swift-build/debug/SwiftApp"
        let run = try execute([binary, "-n", "2"] + Self.tokens.map { "\($0)" })
        try #require(run.status == 0, "SwiftApp failed:\n\(run.log)")
        #expect(run.stdout.hasPrefix("model tiny, seq_len 64, batch 2, 6 token(s)\n"), "\(run.stdout)")
        try expectPrintedValuesMatch(run.stdout, reference: try referencePooledOutput(model: model, sequenceLength: 64),
                                     itemSize: 64)

        let badToken = try execute([binary, "5", "1000"])
        #expect(badToken.status == 1)
        #expect(badToken.stderr.contains("a token id is outside the vocabulary: input 'input_ids': id 1000"),
                "\(badToken.log)")
    }
}
