import Testing
import M2Weights

/// F16/BF16 decoding, directly and through a file.
@Suite struct HalfPrecisionTests {
    // (bits, expected value) pairs from the IEEE 754 binary16 definition.
    static let f16Table: [(UInt16, Float)] = [
        (0x3C00, 1.0), (0xC100, -2.5), (0x7BFF, 65504), (0x0001, 0x1p-24), (0x8001, -0x1p-24),
        (0x03FF, 1023 * 0x1p-24), (0x0400, 0x1p-14), (0x3555, 0x1.554p-2), (0x0000, 0), (0x7C00, .infinity),
        (0xFC00, -.infinity),
    ]
    // bfloat16 = top 16 bits of the binary32 pattern.
    static let bf16Table: [(UInt16, Float)] = [
        (0x3F80, 1.0), (0xC020, -2.5), (0x477F, 65280), (0x0001, Float(bitPattern: 0x0001_0000)),
        (0x7F7F, Float(bitPattern: 0x7F7F_0000)), (0x7F80, .infinity), (0xFF80, -.infinity), (0x3EAB, 0x1.56p-2),
    ]

    @Test func f16Values() {
        for (bits, value) in Self.f16Table { #expect(HalfPrecision.float(fromF16: bits) == value, "bits \(bits)") }
        #expect(HalfPrecision.float(fromF16: 0x8000).sign == .minus)
        #expect(HalfPrecision.float(fromF16: 0x8000) == 0)
        #expect(HalfPrecision.float(fromF16: 0x7E00).isNaN)
        #expect(HalfPrecision.float(fromF16: 0xFC01).isNaN)
    }

    @Test func bf16Values() {
        for (bits, value) in Self.bf16Table { #expect(HalfPrecision.float(fromBF16: bits) == value, "bits \(bits)") }
        #expect(HalfPrecision.float(fromBF16: 0x7FC0).isNaN)
    }

    @Test func f16AndBF16ThroughAFile() throws {
        func bytes(_ words: [UInt16]) -> [UInt8] { words.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        let f16 = Self.f16Table.map(\.0) + [0x7E00]
        let bf16 = Self.bf16Table.map(\.0) + [0x7FC0]
        let f64: [Double] = [1.0, -2.5, 1e-300, 0.1]
        let path = try TestFiles.temporaryPath()
        try SafetensorsWriter.write(path: path, tensors: [
            (name: "h", shape: [f16.count], dtype: .f16, bytes: bytes(f16)),
            (name: "b", shape: [bf16.count], dtype: .bf16, bytes: bytes(bf16)),
            (name: "d", shape: [2, 2], dtype: .f64, bytes: f64.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }),
            (name: "i8", shape: [3], dtype: .i8, bytes: [0xFF, 0x7F, 0x80]),
            (name: "flags", shape: [3], dtype: .bool, bytes: [0, 1, 1]),
            (name: "wide", shape: [2], dtype: .i64, bytes: [5, 0, 0, 0, 0, 0, 0, 0] + [0xFE] + Array(repeating: 0xFF, count: 7)),
            (name: "huge", shape: [1], dtype: .i64, bytes: [0, 0, 0, 0, 1, 0, 0, 0]),
        ])
        let file = try SafetensorsFile(path: path)
        let h = try file.floats("h")
        #expect(Array(h.dropLast()) == Self.f16Table.map(\.1))
        #expect(h.last?.isNaN == true)
        let b = try file.floats("b")
        #expect(Array(b.dropLast()) == Self.bf16Table.map(\.1))
        #expect(b.last?.isNaN == true)
        #expect(try file.floats("d") == f64.map(Float.init))
        #expect(try file.floats("i8") == [-1, 127, -128])
        #expect(try file.floats("flags") == [0, 1, 1])
        #expect(try file.int32s("wide") == [5, -2])
        #expect(throws: WeightsError.self) { try file.int32s("huge") }  // 2^32 does not fit
    }
}
