import Foundation
import M2TargetCPU
import Testing

/// A .m2w cut at every section boundary, and with one flipped byte in every section: each refused by the
/// generated loader with its documented error code (ASan+UBSan build), never accepted and never a crash.
@Suite("CPU target: .m2w truncated or flipped in every section", .serialized)
struct AdversarialM2WTests {
    /// Byte ranges of a .m2w's sections, read from the image as docs/OUTPUT.md describes it.
    struct Sections {
        var named: [(name: String, range: Range<Int>)] = []

        init(_ image: [UInt8]) {
            func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(image[at + $1]) << (8 * $1) } }
            func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(image[at + $1]) << (8 * $1) } }
            named = [("magic", 0..<4), ("version", 4..<8), ("model hash", 8..<40), ("tensor count", 40..<44),
                     ("payload offset", 44..<48), ("payload bytes", 48..<56), ("file bytes", 56..<64)]
            let payload = u32(44)
            var at = 64
            for i in 0..<u32(40) {
                let entry = at
                at += 4 + u32(at)
                at += 8 + 8 * u32(at + 4) + 16
                let offset = u64(at - 16), bytes = u64(at - 8)
                named.append(("table entry \(i)", entry..<at))
                named.append(("tensor \(i) data", (payload + offset)..<(payload + offset + bytes)))
            }
            if at < payload { named.append(("table padding", at..<payload)) }
            named.append(("checksum", (image.count - 8)..<image.count))
        }

        /// Every offset where a section starts or ends.
        var boundaries: [Int] { Array(Set(named.flatMap { [$0.range.lowerBound, $0.range.upperBound] })).sorted() }
    }

    let ok = 0, badMagic = 2, version = 3, wrongModel = 4, truncated = 5, checksum = 6

    @Test func truncatedAtEverySectionBoundary() throws {
        let f = try RuntimeErrorTests.Fixture()
        defer { f.harness.remove() }
        let sections = Sections(f.image)
        #expect(sections.named.count >= 12, "\(sections.named.map(\.name))")
        for cut in sections.boundaries + [1, 63, 65] where cut < f.image.count {
            let r = try f.run("open", weights: Array(f.image.prefix(cut)))
            #expect(r.code == truncated, "cut at \(cut): \(r)")
            #expect(!r.detail.isEmpty, "cut at \(cut): no message")
        }
        // The uncut file still opens: the cuts above are what failed.
        #expect(try f.run("open").code == ok)
    }

    @Test func oneFlippedByteInEverySection() throws {
        let f = try RuntimeErrorTests.Fixture()
        defer { f.harness.remove() }
        for (name, range) in Sections(f.image).named where !range.isEmpty {
            // The first, middle and last byte of each section.
            for at in Set([range.lowerBound, (range.lowerBound + range.upperBound) / 2, range.upperBound - 1]) {
                var image = f.image
                image[at] ^= 0x5A
                let r = try f.run("open", weights: image)
                let expected: Set<Int>
                switch name {
                case "magic": expected = [badMagic]
                case "version": expected = [version]
                case "model hash": expected = [wrongModel]
                // A wrong declared size reads as a truncated file (larger) or trailing garbage (smaller).
                case "file bytes": expected = [truncated, checksum]
                default: expected = [checksum]
                }
                #expect(expected.contains(r.code), "\(name), byte \(at): \(r)")
                #expect(!r.detail.isEmpty, "\(name), byte \(at): no message")
            }
        }
    }
}
