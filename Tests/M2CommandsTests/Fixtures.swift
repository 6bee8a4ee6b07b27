import Foundation
import Testing
@testable import M2Commands

/// Paths to test data. The small golden fixtures live in the repo (Tests/Fixtures/golden); base1 stays in
/// ../shared/golden beside the clone (CI has it) and its tests say so when it is missing.
enum Fixtures {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let inRepo = ["tiny", "small", "plain"]

    static func golden(_ name: String, _ suffix: String) -> URL? {
        let local = repoRoot.appendingPathComponent("Tests/Fixtures/golden/\(name).\(suffix)")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        let shared = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/golden/\(name).\(suffix)")
        if FileManager.default.fileExists(atPath: shared.path) { return shared }
        return nil
    }

    static func example(_ file: String) -> URL { repoRoot.appendingPathComponent("examples/\(file)") }
}

extension Fixtures {
    /// A fresh directory under the system's temporary one, for one suite's files.
    static func scratchDirectory(_ prefix: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Runs `m2c ARGS` in process as the command line would: true on success, false where the command reported its
/// failure (its message is on stderr); a usage error throws.
@discardableResult
func m2c(_ args: [String]) throws -> Bool {
    var command = try M2C.parseAsRoot(args)
    do { try command.run(); return true } catch is ReportedFailure { return false }
}

extension Fixtures {
    /// The tiny fixture as a user has it: `m2c import` of its config into DIR/tiny.m2, its weight files as
    /// `--weights` arguments, and its golden inputs and outputs.
    static func importedTiny(into directory: String) throws -> (model: String, weights: [String], golden: String) {
        let config = try #require(golden("tiny", "config.json")), weights = try #require(golden("tiny", "weights.safetensors"))
        let pooler = try #require(golden("tiny", "pooler.safetensors")), io = try #require(golden("tiny", "io.safetensors"))
        let model = "\(directory)/tiny.m2"
        #expect(try m2c(["import", config.path, "-o", model]))
        return (model, ["--weights", weights.path, "--weights", pooler.path], io.path)
    }
}
