/// Element strides of row-major static shapes, shared by the code generators.
public enum Strides {
    /// strides[i] = Π shape[i+1...].
    public static func rowMajor(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        return strides
    }

    /// Element strides of `shape` seen through the (right-aligned) broadcast result shape: 0 on broadcast dims.
    public static func broadcast(_ shape: [Int], into result: [Int]) -> [Int] {
        let own = rowMajor(shape)
        let lead = result.count - shape.count
        return result.indices.map { k in
            let d = k - lead
            return d < 0 || shape[d] == 1 ? 0 : own[d]
        }
    }
}
