import M2Support

/// A static tensor type. Activations carry an implicit leading run-time batch dimension `B`
/// (`batched == true`); weights and folded constants do not. All other dimensions are fixed at
/// compile time. Layout is row-major in the order of `shape`: a layout change is an explicit
/// `transpose` op, never implied.
///
/// Axes in op attributes always index `shape` (the static dimensions), never `B`.
/// Printed as `f32[B,128,768]` (batched) or `f32[768]` (unbatched); a scalar is `f32[]`.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var dtype: DType
    public var shape: [Int]
    public var batched: Bool

    public init(_ dtype: DType, _ shape: [Int], batched: Bool = false) {
        self.dtype = dtype
        self.shape = shape
        self.batched = batched
    }

    public static func f32(_ shape: [Int], batched: Bool = false) -> TensorType { .init(.f32, shape, batched: batched) }
    public static func i32(_ shape: [Int], batched: Bool = false) -> TensorType { .init(.i32, shape, batched: batched) }

    public var rank: Int { shape.count }
    /// Elements per batch item (or in total, for unbatched tensors).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The most elements one tensor may hold (per batch item for activations): 2³¹ − 1, 8 GiB of f32, far
    /// above any M2 model's largest tensor (M2-BERT-large's embedding table holds 31M). It bounds what a
    /// typo in a parameter can ask for (`--param hidden=1000000`) before anything is allocated, and keeps every
    /// index of a generated kernel, CUDA's 32-bit ones included, in range.
    public static let maxElements = Int(Int32.max)

    /// The product of `dims`, or nil when it overflows `Int` or a dimension is negative.
    public static func checkedProduct(_ dims: [Int]) -> Int? {
        var n = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// Why this type is too large for m2c (see `maxElements`), or nil when it is within the limit.
    public var sizeLimitViolation: String? {
        let limit = Self.maxElements
        let perItem = batched ? " per batch item" : ""
        guard let n = Self.checkedProduct(shape) else {
            return "\(self) has more elements than an Int can count; m2c's limit is \(limit) elements per tensor\(perItem)"
        }
        guard n <= limit else {
            return "\(self) has \(n) elements\(perItem) (\(ByteCount.gib(Double(n) * Double(dtype.byteSize)))); m2c's limit is "
                + "\(limit) elements per tensor"
        }
        return nil
    }

    public func with(shape: [Int]) -> TensorType { .init(dtype, shape, batched: batched) }
    public func with(dtype: DType) -> TensorType { .init(dtype, shape, batched: batched) }

    public var description: String {
        let dims = (batched ? ["B"] : []) + shape.map(String.init)
        return "\(dtype.rawValue)[\(dims.joined(separator: ","))]"
    }
}
