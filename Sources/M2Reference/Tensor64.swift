/// A dense Float64 tensor as the reference interpreter sees it: row-major `values` in the order of
/// `shape`, which is the FULL shape (the run-time batch dimension first when the value is batched).
public struct Tensor64: Sendable, Hashable {
    public var shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.shape = shape
        self.values = values
    }

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.values = [Double](repeating: 0, count: shape.reduce(1, *))
    }

    public var elementCount: Int { values.count }
}
