import Foundation
import Testing
import M2Weights

/// SafetensorsWriter output read back by SafetensorsFile.
@Suite struct SafetensorsRoundTripTests {
    @Test func floatsInt32sMetadataAndEmptyTensor() throws {
        let path = try TestFiles.temporaryPath()
        let weights: [Float] = [1.5, -2.25, .pi, 0, -0.0, 1e-30, .greatestFiniteMagnitude, -.infinity]
        let ids: [Int32] = [0, 1, -7, .max, .min, 42]
        try SafetensorsWriter.write(path: path, tensors: [
            (name: "w", shape: [2, 4], dtype: .f32, bytes: SafetensorsWriter.bytes(of: weights)),
            (name: "ids", shape: [3, 2], dtype: .i32, bytes: SafetensorsWriter.bytes(of: ids)),
            (name: "empty", shape: [3, 0, 5], dtype: .f32, bytes: []),
        ], metadata: ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t é 😀"])

        let file = try SafetensorsFile(path: path)
        #expect(file.keys == ["empty", "ids", "w"])  // sorted on write
        #expect(try file.floats("w").map(\.bitPattern) == weights.map(\.bitPattern))
        #expect(file.shape(of: "w") == [2, 4])
        #expect(try file.int32s("ids") == ids)
        #expect(try file.floats("ids") == ids.map(Float.init))
        #expect(file.shape(of: "empty") == [3, 0, 5])
        #expect(try file.floats("empty").isEmpty)
        #expect(file.info("empty")?.byteCount == 0)
        #expect(file.metadata == ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t é 😀"])
    }

    @Test func headerIsPaddedToEightAndDataPackedInKeyOrder() throws {
        let path = try TestFiles.temporaryPath()
        try SafetensorsWriter.write(path: path, floatTensors: [(name: "b", shape: [1], values: [2]), (name: "a", shape: [1], values: [1])])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let n = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(n % 8 == 0)
        #expect(bytes.count == 8 + n + 8)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(header.hasPrefix(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":"#))
        #expect(Array(bytes[(8 + n)...]) == SafetensorsWriter.bytes(of: [Float(1), 2]))
    }

    @Test func outputIsDeterministic() throws {
        let tensors: [(name: String, shape: [Int], values: [Float])] = [("x", [2], [1, 2]), ("y", [1], [3])]
        let p1 = try TestFiles.temporaryPath(), p2 = try TestFiles.temporaryPath()
        try SafetensorsWriter.write(path: p1, floatTensors: tensors, metadata: ["b": "2", "a": "1"])
        try SafetensorsWriter.write(path: p2, floatTensors: tensors.reversed(), metadata: ["a": "1", "b": "2"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: p1)) == Data(contentsOf: URL(fileURLWithPath: p2)))
    }

    @Test func overwritesAtomicallyAndLeavesNoTemporaryFile() throws {
        let path = try TestFiles.temporaryPath()
        try SafetensorsWriter.write(path: path, int32Tensors: [(name: "old", shape: [1], values: [1])])
        try SafetensorsWriter.write(path: path, int32Tensors: [(name: "new", shape: [2], values: [5, 6])])
        #expect(try SafetensorsFile(path: path).int32s("new") == [5, 6])
        let dir = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["test.safetensors"])
    }

    @Test func writingTensorSourceKeepsIntegerBuffers() throws {
        let path = try TestFiles.temporaryPath()
        let source = RandomWeights.make(specs: [("bert.embeddings.position_ids", [1, 4]), ("a.weight", [2, 3])], seed: 3)
        try SafetensorsWriter.write(path: path, source: source)
        let file = try SafetensorsFile(path: path)
        #expect(file.dtype(of: "bert.embeddings.position_ids") == .i32)
        #expect(try file.int32s("bert.embeddings.position_ids") == [0, 1, 2, 3])
        #expect(try file.floats("a.weight") == source.floats("a.weight"))
    }

    @Test func writerRejectsInconsistentTensors() throws {
        let path = try TestFiles.temporaryPath()
        #expect(throws: WeightsError.self) {
            try SafetensorsWriter.write(path: path, tensors: [(name: "x", shape: [2], dtype: .f32, bytes: [0, 0, 0, 0])])
        }
        #expect(throws: WeightsError.self) {
            try SafetensorsWriter.write(path: path, floatTensors: [(name: "x", shape: [1], values: [1]), (name: "x", shape: [1], values: [2])])
        }
        #expect(throws: WeightsError.self) {
            try SafetensorsWriter.write(path: path, floatTensors: [(name: "__metadata__", shape: [1], values: [1])])
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: WeightsError.self) {
            try SafetensorsWriter.write(path: "/nonexistent-dir-m2c/x.safetensors", floatTensors: [])
        }
    }
}
