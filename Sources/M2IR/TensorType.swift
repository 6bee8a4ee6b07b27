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

    public func with(shape: [Int]) -> TensorType { .init(dtype, shape, batched: batched) }
    public func with(dtype: DType) -> TensorType { .init(dtype, shape, batched: batched) }

    public var description: String {
        let dims = (batched ? ["B"] : []) + shape.map(String.init)
        return "\(dtype.rawValue)[\(dims.joined(separator: ","))]"
    }
}
