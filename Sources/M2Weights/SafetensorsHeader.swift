/// The validated JSON header of a safetensors file: where each tensor lies in the data section.
///
/// Layout of the file: an 8-byte little-endian `N`, then `N` bytes of UTF-8 JSON, then the data
/// section. The JSON is an object mapping each tensor key to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` (offsets relative to the data
/// section), plus an optional `"__metadata__"` object of string values.
struct SafetensorsHeader {
    struct Entry {
        var key: String
        var dtype: WeightDType
        var shape: [Int]
        /// Byte range within the data section.
        var range: Range<Int>
    }

    static let metadataKey = "__metadata__"
    /// Headers larger than this are refused (the reference implementation's limit) so that a corrupt
    /// length cannot make the reader allocate gigabytes.
    static let maxHeaderSize = 100_000_000

    /// Entries in file order.
    var entries: [Entry]
    var metadata: [String: String]

    /// Validates `json` against a data section of `dataSize` bytes. `fail` turns a reason into the error thrown.
    init(json: [UInt8], dataSize: Int, fail: (String) -> WeightsError) throws(WeightsError) {
        let root: HeaderJSON
        do {
            root = try HeaderJSONParser.parse(json)
        } catch {
            throw fail("header JSON: \(error.description)")
        }
        guard case .object(let members) = root else { throw fail("header JSON is \(root.kindName), not an object") }

        entries = []
        metadata = [:]
        for (key, value) in members {
            if key == Self.metadataKey {
                metadata = try Self.metadata(value, fail: fail)
            } else {
                entries.append(try Self.entry(key, value, dataSize: dataSize, fail: fail))
            }
        }
        try Self.checkNoOverlap(entries, fail: fail)
    }

    private static func metadata(_ value: HeaderJSON, fail: (String) -> WeightsError) throws(WeightsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw fail("'\(metadataKey)' is \(value.kindName), not an object of strings")
        }
        var result: [String: String] = [:]
        for (key, v) in members {
            guard case .string(let s) = v else {
                throw fail("'\(metadataKey)' entry '\(key)' is \(v.kindName), not a string")
            }
            result[key] = s
        }
        return result
    }

    private static func entry(_ key: String, _ value: HeaderJSON, dataSize: Int,
                              fail: (String) -> WeightsError) throws(WeightsError) -> Entry {
        guard case .object(let members) = value else {
            throw fail("tensor '\(key)': entry is \(value.kindName), not an object")
        }
        func field(_ name: String) throws(WeightsError) -> HeaderJSON {
            guard let v = members.first(where: { $0.key == name })?.value else {
                throw fail("tensor '\(key)': missing \"\(name)\"")
            }
            return v
        }
        func nonNegativeInts(_ v: HeaderJSON, _ what: String) throws(WeightsError) -> [Int] {
            guard case .array(let items) = v else { throw fail("tensor '\(key)': \(what) is \(v.kindName), not an array") }
            var result: [Int] = []
            for (i, item) in items.enumerated() {
                switch item.nonNegativeInt {
                case .success(let n): result.append(n)
                case .failure(let problem):
                    throw fail("tensor '\(key)': \(what)[\(i)] = \(Self.text(of: item)) \(problem.description)")
                }
            }
            return result
        }

        guard case .string(let dtypeName) = try field("dtype") else {
            throw fail("tensor '\(key)': \"dtype\" is not a string")
        }
        guard let dtype = WeightDType(rawValue: dtypeName) else {
            throw fail("tensor '\(key)': unknown dtype '\(dtypeName)'")
        }
        let shape = try nonNegativeInts(try field("shape"), "shape")
        let offsets = try nonNegativeInts(try field("data_offsets"), "data_offsets")
        guard offsets.count == 2 else {
            throw fail("tensor '\(key)': data_offsets has \(offsets.count) numbers, expected [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw fail("tensor '\(key)': data_offsets begin \(begin) > end \(end)") }
        guard end <= dataSize else {
            throw fail("tensor '\(key)': data_offsets end \(end) is past the data section (\(dataSize) bytes)")
        }
        guard let expected = Self.byteCount(shape: shape, dtype: dtype) else {
            throw fail("tensor '\(key)': shape \(shape) of \(dtypeName) has too many bytes to represent (overflow)")
        }
        guard end - begin == expected else {
            throw fail("tensor '\(key)': data_offsets cover \(end - begin) bytes but shape \(shape) of \(dtypeName) needs \(expected)")
        }
        return Entry(key: key, dtype: dtype, shape: shape, range: begin..<end)
    }

    /// product(shape) · itemsize, or nil on overflow.
    static func byteCount(shape: [Int], dtype: WeightDType) -> Int? {
        var total = dtype.byteSize
        for d in shape {
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            total = p
        }
        return total
    }

    private static func checkNoOverlap(_ entries: [Entry], fail: (String) -> WeightsError) throws(WeightsError) {
        // Empty tensors occupy no bytes, so they cannot overlap anything.
        let byStart = entries.filter { !$0.range.isEmpty }.sorted { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        for (a, b) in zip(byStart, byStart.dropFirst()) where b.range.lowerBound < a.range.upperBound {
            throw fail("tensors '\(a.key)' [\(a.range.lowerBound), \(a.range.upperBound)) and '\(b.key)' [\(b.range.lowerBound), \(b.range.upperBound)) overlap")
        }
    }

    private static func text(of value: HeaderJSON) -> String {
        if case .number(let literal) = value { return literal }
        return value.kindName
    }
}
