import Foundation

/// Paths for test inputs: the checked-in golden fixtures, and fresh temporary files.
enum TestFiles {
    static let goldenDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden")

    static func golden(_ name: String) -> String { goldenDirectory.appendingPathComponent(name).path }

    /// A path in a new, empty temporary directory.
    static func temporaryPath(_ name: String = "test.safetensors") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    /// Writes raw bytes to a temporary file and returns its path.
    static func write(_ bytes: [UInt8]) throws -> String {
        let path = try temporaryPath()
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A safetensors file assembled by hand: `length` (default: the header's size), header text, data bytes.
    static func safetensors(header: String, data: [UInt8] = [], length: UInt64? = nil) throws -> String {
        let headerBytes = Array(header.utf8)
        return try write(littleEndian(length ?? UInt64(headerBytes.count)) + headerBytes + data)
    }

    static func littleEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
