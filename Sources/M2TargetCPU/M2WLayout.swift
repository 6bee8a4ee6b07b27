/// The .m2w weights file, little-endian:
///
///     0   "M2W1"                      magic
///     4   u32 format version          (1)
///     8   u8[32] model hash           SHA-256 of the graph's canonical description
///     40  u32 tensor count
///     44  u32 payload offset          64-byte aligned
///     48  u64 payload bytes
///     56  u64 file bytes              including the trailing checksum
///     64  tensor table                per tensor: u32 name length, name (UTF-8), u32 dtype (0 f32, 1 i32),
///                                     u32 rank, u64 dims[rank], u64 offset in payload (64-aligned), u64 bytes
///     …   payload                     tensors in table order, each 64-byte aligned, zero padding between
///     end-8  u64 checksum             64-bit FNV-1a of every byte before it
enum M2WLayout {
    static let magic: [UInt8] = Array("M2W1".utf8)
    static let formatVersion: UInt32 = 1
    static let fixedHeaderBytes = 64
    static let alignment = 64
}

/// One tensor stored in a .m2w, already in the layout its kernels read.
struct M2WTensor {
    var name: String
    var dtype: UInt32
    var shape: [Int]
    var values: [Float]

    var byteCount: Int { values.count * 4 }
}

enum M2WWriter {
    static func image(hash: [UInt8], tensors: [M2WTensor]) -> [UInt8] {
        var table: [UInt8] = []
        var offsets: [Int] = []
        var payloadBytes = 0
        for t in tensors {
            offsets.append(payloadBytes)
            payloadBytes = align(payloadBytes + t.byteCount)
        }
        for (t, offset) in zip(tensors, offsets) {
            let name = Array(t.name.utf8)
            table.appendLE(UInt32(name.count))
            table += name
            table.appendLE(t.dtype)
            table.appendLE(UInt32(t.shape.count))
            for d in t.shape { table.appendLE(UInt64(d)) }
            table.appendLE(UInt64(offset))
            table.appendLE(UInt64(t.byteCount))
        }
        let payloadOffset = align(M2WLayout.fixedHeaderBytes + table.count)
        let fileBytes = payloadOffset + payloadBytes + 8

        var out = M2WLayout.magic
        out.reserveCapacity(fileBytes)
        out.appendLE(M2WLayout.formatVersion)
        out += hash
        out.appendLE(UInt32(tensors.count))
        out.appendLE(UInt32(payloadOffset))
        out.appendLE(UInt64(payloadBytes))
        out.appendLE(UInt64(fileBytes))
        out += table
        for (t, offset) in zip(tensors, offsets) {
            out += [UInt8](repeating: 0, count: payloadOffset + offset - out.count)
            for v in t.values { out.appendLE(v.bitPattern) }
        }
        out += [UInt8](repeating: 0, count: payloadOffset + payloadBytes - out.count)
        out.appendLE(fnv1a64(out))
        return out
    }

    private static func align(_ n: Int) -> Int { (n + M2WLayout.alignment - 1) / M2WLayout.alignment * M2WLayout.alignment }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        var x = v.littleEndian
        Swift.withUnsafeBytes(of: &x) { append(contentsOf: $0) }
    }
}
