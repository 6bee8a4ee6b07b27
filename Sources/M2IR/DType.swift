/// Element types. Run-time activations are f32 (i32 for token ids); the reference
/// interpreter evaluates everything in Float64 regardless of the declared type.
public enum DType: String, Hashable, Sendable, CaseIterable {
    case f32
    case i32

    public var byteSize: Int { 4 }
}
