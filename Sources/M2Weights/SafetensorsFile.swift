/// A safetensors file (https://github.com/huggingface/safetensors), memory-mapped and validated on open.
///
/// Opening checks the whole header (sizes, JSON, dtypes, shapes, offsets, overlaps) so that reading a
/// tensor afterwards cannot go out of bounds; tensor data is only touched when `floats`/`int32s` asks.
/// Values are little-endian; the data section may be unaligned, so elements are loaded unaligned.
public final class SafetensorsFile: TensorSource, @unchecked Sendable {
    // @unchecked: every stored property is immutable after init and the mapping is read-only.
    public let path: String
    public var origin: String { path }
    /// Tensor keys in the order the header lists them.
    public let keys: [String]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]

    private let file: MappedFile
    private let dataStart: Int
    private let entries: [String: SafetensorsHeader.Entry]

    public init(path: String) throws(WeightsError) {
        let file = try MappedFile(path: path)
        func malformed(_ reason: String) -> WeightsError { .malformedFile(path: path, reason: reason) }

        let size = file.bytes.count
        guard size >= 8 else { throw malformed("file is \(size) bytes, shorter than the 8-byte header length") }
        let declared = file.bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian
        guard declared <= UInt64(SafetensorsHeader.maxHeaderSize) else {
            throw malformed("header length \(declared) exceeds the limit of \(SafetensorsHeader.maxHeaderSize) bytes")
        }
        let headerSize = Int(declared)
        guard headerSize <= size - 8 else {
            throw malformed("header length \(headerSize) is larger than the \(size - 8) bytes after the length field")
        }
        let json = [UInt8](file.bytes[8..<(8 + headerSize)])
        let header = try SafetensorsHeader(json: json, dataSize: size - 8 - headerSize, fail: malformed)

        self.path = path
        self.file = file
        self.dataStart = 8 + headerSize
        self.keys = header.entries.map(\.key)
        self.metadata = header.metadata
        self.entries = Dictionary(header.entries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func info(_ key: String) -> (dtype: WeightDType, shape: [Int], byteCount: Int)? {
        entries[key].map { ($0.dtype, $0.shape, $0.range.count) }
    }

    public func dtype(of key: String) -> WeightDType? { entries[key]?.dtype }
    public func shape(of key: String) -> [Int]? { entries[key]?.shape }

    /// The tensor converted to Float: floating dtypes exactly (F64 rounded), integer and BOOL dtypes by value.
    public func floats(_ key: String) throws(WeightsError) -> [Float] {
        let entry = try self.entry(key)
        let data = raw(entry)
        let n = entry.range.count / entry.dtype.byteSize
        switch entry.dtype {
        case .f32:
            // Little-endian hosts can take the bytes as they are.
            if 1.littleEndian == 1 {
                return [Float](unsafeUninitializedCapacity: n) { buffer, count in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: data)
                    count = n
                }
            }
            return elements(data, n) { Float(bitPattern: UInt32(littleEndian: $0)) }
        case .f16: return elements(data, n) { HalfPrecision.float(fromF16: UInt16(littleEndian: $0)) }
        case .bf16: return elements(data, n) { HalfPrecision.float(fromBF16: UInt16(littleEndian: $0)) }
        case .f64: return elements(data, n) { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
        case .i64: return elements(data, n) { Float(Int64(littleEndian: $0)) }
        case .i32: return elements(data, n) { Float(Int32(littleEndian: $0)) }
        case .i16: return elements(data, n) { Float(Int16(littleEndian: $0)) }
        case .i8: return elements(data, n) { (v: Int8) in Float(v) }
        case .u8: return elements(data, n) { (v: UInt8) in Float(v) }
        case .bool: return elements(data, n) { (v: UInt8) in v == 0 ? 0 : 1 }
        }
    }

    /// The tensor as Int32 values (token ids in io files). Accepts I32, and I64 whose values fit.
    public func int32s(_ key: String) throws(WeightsError) -> [Int32] {
        let entry = try self.entry(key)
        let data = raw(entry)
        let n = entry.range.count / entry.dtype.byteSize
        switch entry.dtype {
        case .i32:
            return elements(data, n) { Int32(littleEndian: $0) }
        case .i64:
            let wide = elements(data, n) { Int64(littleEndian: $0) }
            var result: [Int32] = []
            result.reserveCapacity(n)
            for (i, v) in wide.enumerated() {
                guard let narrow = Int32(exactly: v) else {
                    throw .unsupportedDType(key: key, dtype: "I64 (element \(i) = \(v) does not fit in 32 bits)", expected: "I32")
                }
                result.append(narrow)
            }
            return result
        default:
            throw .unsupportedDType(key: key, dtype: entry.dtype.rawValue, expected: "I32 or I64")
        }
    }

    private func entry(_ key: String) throws(WeightsError) -> SafetensorsHeader.Entry {
        guard let e = entries[key] else { throw .missingTensor(key: key, expectedShape: nil) }
        return e
    }

    /// The tensor's bytes inside the mapping (bounds were checked when the header was validated).
    private func raw(_ entry: SafetensorsHeader.Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + entry.range.lowerBound)..<(dataStart + entry.range.upperBound)])
    }

    private func elements<Stored: BitwiseCopyable, Value>(_ data: UnsafeRawBufferPointer, _ n: Int,
                                         _ convert: (Stored) -> Value) -> [Value] {
        var result: [Value] = []
        result.reserveCapacity(n)
        let stride = MemoryLayout<Stored>.size
        for i in 0..<n {
            result.append(convert(data.loadUnaligned(fromByteOffset: i * stride, as: Stored.self)))
        }
        return result
    }
}
