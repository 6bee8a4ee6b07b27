#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import M2Support

/// Writes safetensors files that `SafetensorsFile` (and the Python `safetensors` package) can read.
///
/// Output is deterministic: tensors sorted by key, data packed in that order without gaps, the JSON
/// header written compactly and padded with spaces to a multiple of 8 bytes (so the data section
/// starts 8-aligned). The file is written to a temporary name beside `path` and renamed into place,
/// so a reader never sees a half-written file.
public enum SafetensorsWriter {
    public static func write(path: String,
                             tensors: [(name: String, shape: [Int], dtype: WeightDType, bytes: [UInt8])],
                             metadata: [String: String] = [:]) throws(WeightsError) {
        func fail(_ reason: String) -> WeightsError { .cannotWrite(path: path, reason: reason) }

        let sorted = tensors.sorted { $0.name < $1.name }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.name == b.name {
            throw fail("tensor '\(a.name)' is given twice")
        }
        var header = "{"
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            members.append("\(jsonString(SafetensorsHeader.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for t in sorted {
            guard t.name != SafetensorsHeader.metadataKey else { throw fail("'\(t.name)' is reserved for metadata") }
            guard t.shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(t.name)' has a negative dimension in \(t.shape)") }
            let needed = SafetensorsHeader.byteCount(shape: t.shape, dtype: t.dtype)
            guard needed == t.bytes.count else {
                throw fail("tensor '\(t.name)': \(t.bytes.count) bytes given, shape \(t.shape) of \(t.dtype.rawValue) needs \(needed.map(String.init) ?? "more than Int.max")")
            }
            let shape = t.shape.map(String.init).joined(separator: ",")
            members.append("\(jsonString(t.name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}")
            offset += t.bytes.count
        }
        header += members.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))

        var length = UInt64(headerBytes.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
        try writeAtomically(path: path, chunks: [lengthBytes, headerBytes] + sorted.map(\.bytes))
    }

    /// All tensors stored as F32.
    public static func write(path: String, floatTensors: [(name: String, shape: [Int], values: [Float])],
                             metadata: [String: String] = [:]) throws(WeightsError) {
        try write(path: path, tensors: floatTensors.map { ($0.name, $0.shape, .f32, bytes(of: $0.values)) }, metadata: metadata)
    }

    /// All tensors stored as I32.
    public static func write(path: String, int32Tensors: [(name: String, shape: [Int], values: [Int32])],
                             metadata: [String: String] = [:]) throws(WeightsError) {
        try write(path: path, tensors: int32Tensors.map { ($0.name, $0.shape, .i32, bytes(of: $0.values)) }, metadata: metadata)
    }

    /// Every tensor of `source`: floating dtypes as F32, integer dtypes as I32 (e.g. random weights saved for a benchmark).
    public static func write(path: String, source: any TensorSource, metadata: [String: String] = [:]) throws(WeightsError) {
        var tensors: [(name: String, shape: [Int], dtype: WeightDType, bytes: [UInt8])] = []
        for key in source.keys {
            guard let shape = source.shape(of: key), let dtype = source.dtype(of: key) else {
                throw .missingTensor(key: key, expectedShape: nil)
            }
            let values = try source.floats(key)
            if dtype.isFloatingPoint {
                tensors.append((key, shape, .f32, bytes(of: values)))
            } else {
                var ints: [Int32] = []
                ints.reserveCapacity(values.count)
                for v in values {
                    guard let i = Int32(exactly: v) else {
                        throw .unsupportedDType(key: key, dtype: "\(dtype.rawValue) holding \(v)", expected: "values that fit I32")
                    }
                    ints.append(i)
                }
                tensors.append((key, shape, .i32, bytes(of: ints)))
            }
        }
        try write(path: path, tensors: tensors, metadata: metadata)
    }

    /// Little-endian bytes of F32 values.
    public static func bytes(of values: [Float]) -> [UInt8] {
        littleEndianBytes(values.map(\.bitPattern))
    }

    /// Little-endian bytes of I32 values.
    public static func bytes(of values: [Int32]) -> [UInt8] {
        littleEndianBytes(values.map { UInt32(bitPattern: $0) })
    }

    private static func littleEndianBytes(_ words: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(words.count * 4)
        for w in words {
            out.append(UInt8(truncatingIfNeeded: w))
            out.append(UInt8(truncatingIfNeeded: w >> 8))
            out.append(UInt8(truncatingIfNeeded: w >> 16))
            out.append(UInt8(truncatingIfNeeded: w >> 24))
        }
        return out
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonString(_ s: String) -> String { StringLiteralStyle.json.quote(s) }

    private static func writeAtomically(path: String, chunks: [[UInt8]]) throws(WeightsError) {
        func fail(_ what: String) -> WeightsError {
            .cannotWrite(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("cannot create \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd); unlink(temporary) }
        }
        for chunk in chunks {
            var written = 0
            while written < chunk.count {
                let n = chunk.withUnsafeBytes { writeSome(fd, UnsafeRawBufferPointer(rebasing: $0[written...])) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw fail("write failed") }
                written += n
            }
        }
        guard fsync(fd) == 0 else { throw fail("fsync failed") }
        closed = true
        guard close(fd) == 0 else { unlink(temporary); throw fail("close failed") }
        guard rename(temporary, path) == 0 else { unlink(temporary); throw fail("cannot rename \(temporary) into place") }
    }
}

/// One POSIX write (at file scope, where `write` means the C function, not `SafetensorsWriter.write`).
private func writeSome(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    guard let base = bytes.baseAddress else { return 0 }
    return write(fd, base, bytes.count)
}
