import M2Support

/// Element types found in weight files. Floating types are converted to f32/f64 on read.
public enum WeightDType: String, Hashable, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"
    case i32 = "I32", i64 = "I64", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    public var byteSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    public var isFloatingPoint: Bool { self == .f32 || self == .f16 || self == .bf16 || self == .f64 }
}

/// Errors of the weights layer. Every case names the file and/or tensor involved.
public enum WeightsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file is not a valid safetensors file (what is wrong, in words).
    case malformedFile(path: String, reason: String)
    case cannotOpen(path: String, reason: String)
    case missingTensor(key: String, expectedShape: [Int]?)
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    case unsupportedDType(key: String, dtype: String, expected: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformedFile(let p, let r): return "\(p): not a valid safetensors file: \(r)"
        case .cannotOpen(let p, let r): return "\(p): cannot open: \(r)"
        case .missingTensor(let k, let s):
            return "missing tensor '\(k)'" + (s.map { " (expected shape \($0))" } ?? "")
        case .shapeMismatch(let k, let e, let f): return "tensor '\(k)' has shape \(f), expected \(e)"
        case .unsupportedDType(let k, let d, let e): return "tensor '\(k)' has dtype \(d), expected \(e)"
        case .cannotWrite(let p, let r): return "\(p): cannot write: \(r)"
        }
    }
}

/// Where one tensor's data lives.
public protocol TensorSource: AnyObject, Sendable {
    /// Human-readable origin for messages (a file path, "random(seed 7)", …).
    var origin: String { get }
    func dtype(of key: String) -> WeightDType?
    func shape(of key: String) -> [Int]?
    /// Keys in a stable order.
    var keys: [String] { get }
    /// The tensor converted to Float (floating dtypes and integer dtypes alike).
    func floats(_ key: String) throws(WeightsError) -> [Float]
}

/// A merged, read-only view of several tensor sources (e.g. the model weights and a separate pooler file).
/// A key found in several sources resolves to the first source that has it.
public final class WeightStore: @unchecked Sendable {
    public private(set) var sources: [any TensorSource] = []
    private var index: [String: Int] = [:]

    public init(_ sources: [any TensorSource] = []) {
        for s in sources { add(s) }
    }

    public func add(_ source: any TensorSource) {
        let i = sources.count
        sources.append(source)
        for k in source.keys where index[k] == nil { index[k] = i }
    }

    public func contains(_ key: String) -> Bool { index[key] != nil }
    public var keys: [String] { index.keys.sorted() }

    public func source(of key: String) -> (any TensorSource)? { index[key].map { sources[$0] } }
    public func shape(of key: String) -> [Int]? { source(of: key)?.shape(of: key) }
    public func dtype(of key: String) -> WeightDType? { source(of: key)?.dtype(of: key) }

    public func floats(_ key: String) throws(WeightsError) -> [Float] {
        guard let s = source(of: key) else { throw .missingTensor(key: key, expectedShape: nil) }
        return try s.floats(key)
    }

    public func doubles(_ key: String) throws(WeightsError) -> [Double] {
        try floats(key).map(Double.init)
    }
}

/// Tensors held in memory (random weights, tests, tensors built by tools).
public final class InMemoryTensors: TensorSource, @unchecked Sendable {
    public let origin: String
    public private(set) var keys: [String] = []
    private var entries: [String: (shape: [Int], dtype: WeightDType, values: [Float])] = [:]

    public init(origin: String) { self.origin = origin }

    public func insert(_ key: String, shape: [Int], values: [Float], dtype: WeightDType = .f32) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values for \(key)")
        if entries[key] == nil { keys.append(key) }
        entries[key] = (shape, dtype, values)
    }

    public func dtype(of key: String) -> WeightDType? { entries[key]?.dtype }
    public func shape(of key: String) -> [Int]? { entries[key]?.shape }
    public func floats(_ key: String) throws(WeightsError) -> [Float] {
        guard let e = entries[key] else { throw .missingTensor(key: key, expectedShape: nil) }
        return e.values
    }
}
