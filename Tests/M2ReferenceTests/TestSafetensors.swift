// TEST-ONLY safetensors reader: the real reader lives in M2Weights (written in parallel); this one reads
// just what the golden fixtures hold (F32 and I32 tensors) so the interpreter tests do not depend on it.
import Foundation
import M2Reference
import M2Weights

struct TestSafetensorsError: Error, CustomStringConvertible {
    var description: String
}

/// An in-memory safetensors file: 8-byte little-endian header length, a JSON header
/// {key: {dtype, shape, data_offsets}}, then the raw little-endian data.
final class TestSafetensors: TensorSource, @unchecked Sendable {
    let origin: String
    let keys: [String]
    private let entries: [String: (dtype: WeightDType, shape: [Int], words: [UInt32])]

    init(path: String) throws {
        origin = path
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count >= 8 else { throw TestSafetensorsError(description: "\(path): shorter than 8 bytes") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard 8 + headerLength <= data.count,
              let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any]
        else { throw TestSafetensorsError(description: "\(path): bad header") }
        let body = data.subdata(in: (8 + headerLength)..<data.count)

        var entries: [String: (WeightDType, [Int], [UInt32])] = [:]
        for (key, value) in header where key != "__metadata__" {
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] <= offsets[1], offsets[1] <= body.count
            else { throw TestSafetensorsError(description: "\(path): bad entry for '\(key)'") }
            let bytes = body.subdata(in: offsets[0]..<offsets[1])
            let count = shape.reduce(1, *)
            guard bytes.count == 4 * count else { throw TestSafetensorsError(description: "\(path): '\(key)' size mismatch") }
            let words = bytes.withUnsafeBytes { raw in
                (0..<count).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
            }
            switch dtypeName {
            case "F32": entries[key] = (.f32, shape, words)
            case "I32": entries[key] = (.i32, shape, words)
            default: throw TestSafetensorsError(description: "\(path): '\(key)' has unsupported dtype \(dtypeName)")
            }
        }
        self.entries = entries
        keys = entries.keys.sorted()
    }

    func dtype(of key: String) -> WeightDType? { entries[key]?.dtype }
    func shape(of key: String) -> [Int]? { entries[key]?.shape }

    func floats(_ key: String) throws(WeightsError) -> [Float] {
        guard let e = entries[key] else { throw .missingTensor(key: key, expectedShape: nil) }
        return e.dtype == .f32 ? e.words.map { Float(bitPattern: $0) } : e.words.map { Float(Int32(bitPattern: $0)) }
    }

    /// The tensor as Float64 (the golden references are F32, widened exactly).
    func tensor(_ key: String) throws -> Tensor64 {
        guard let e = entries[key] else { throw TestSafetensorsError(description: "\(origin): no tensor '\(key)'") }
        return Tensor64(shape: e.shape, values: try floats(key).map(Double.init))
    }

    /// Int32 tensors (token ids) exactly as stored.
    func int32s(_ key: String) throws -> [Int32] {
        guard let e = entries[key], e.dtype == .i32 else {
            throw TestSafetensorsError(description: "\(origin): no I32 tensor '\(key)'")
        }
        return e.words.map { Int32(bitPattern: $0) }
    }
}
