import Foundation

/// The files of one generated C library (name → contents) plus facts a harness may want without parsing them.
public struct EmittedLibrary: Sendable {
    public var name: String
    /// `NAME.h`, `NAME.c`, `Makefile`, `NAME.pc.in`, `NAME.swift`, `module.modulemap`, and `NAME.m2w` when weights were given.
    public var files: [String: [UInt8]]
    /// Hex SHA-256 of the graph's canonical description (also in the header and the .m2w).
    public var modelHash: String
    /// Activation arena bytes needed per batch item (the memory plan's peak; `NAME_ARENA_BYTES_PER_ITEM`).
    public var arenaBytesPerItem: Int
    /// Bytes of weight-only values computed once at open (the `statics` buffer).
    public var staticsBytes: Int

    public init(name: String, files: [String: [UInt8]], modelHash: String, arenaBytesPerItem: Int, staticsBytes: Int = 0) {
        self.name = name
        self.files = files
        self.modelHash = modelHash
        self.arenaBytesPerItem = arenaBytesPerItem
        self.staticsBytes = staticsBytes
    }

    /// A text file's contents (nil for a missing or binary file).
    public func text(_ file: String) -> String? {
        files[file].flatMap { String(bytes: $0, encoding: .utf8) }
    }

    /// Writes every file into `directory` (created if needed), replacing files of the same names.
    public func write(to directory: String) throws(CPUEmitError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: directory, reason: error.localizedDescription)
        }
        for (file, bytes) in files.sorted(by: { $0.key < $1.key }) {
            let path = (directory as NSString).appendingPathComponent(file)
            try Self.writeFile(bytes, to: path)
        }
    }

    /// Writes `bytes` in chunks. Foundation's one-shot `createFile(atPath:contents:)` on Linux gives a file of the
    /// right size but wrong contents past 2 GiB (a single write(2) moves at most 0x7ffff000 bytes), which is what a
    /// .m2w of M2-BERT-base at L = 8192 (2.7 GB: spectra) needs.
    static func writeFile(_ bytes: [UInt8], to path: String) throws(CPUEmitError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw .cannotWrite(path: path, reason: "the file could not be created")
        }
        do {
            let chunk = 64 << 20
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let end = min(raw.count, offset + chunk)
                    try handle.write(contentsOf: Data(raw[offset..<end]))
                    offset = end
                }
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw .cannotWrite(path: path, reason: error.localizedDescription)
        }
    }
}
