import Foundation
import M2TargetCPU
import Testing

/// Large generated files (a .m2w of M2-BERT-base at L = 8192 is 2.7 GB) are written in chunks; this checks the
/// chunk loop on a file of several chunks, byte for byte.
@Suite struct EmittedLibraryWriteTests {
    @Test func aFileOfSeveralChunksIsWrittenExactly() throws {
        let count = 150 << 20 + 12_345   // three 64 MiB chunks, the last one partial
        var bytes = [UInt8](repeating: 0, count: count)
        for i in stride(from: 0, to: count, by: 997) { bytes[i] = UInt8(truncatingIfNeeded: i / 997 &+ 1) }
        bytes[count - 1] = 0xAB
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-write-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try EmittedLibrary(name: "w", files: ["big.m2w": bytes, "small.h": Array("x".utf8)], modelHash: "", arenaBytesPerItem: 0)
            .write(to: dir)
        let back = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/big.m2w"))
        #expect(back.count == count)
        #expect(back == Data(bytes))
        #expect(try String(contentsOfFile: "\(dir)/small.h", encoding: .utf8) == "x")
    }
}
