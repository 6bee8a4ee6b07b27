import Foundation

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
