/// Knobs of the CUDA emitter.
public struct CUDAEmitOptions: Sendable {
    /// Storage and math precision of activations and weights (`--precision`).
    public var precision: CUDAPrecision
    /// GPU architectures the Makefile builds SASS for (`--cuda-arch`), e.g. `sm_80` (A100), `sm_90a` (H100).
    public var architectures: [String]
    /// Version string written into the header.
    public var m2cVersion: String
    /// Read templates from this directory instead of the copies compiled into m2c (must hold every file of
    /// Templates/cuda).
    public var templateDirectory: String?

    public static let defaultArchitectures = ["sm_80", "sm_90a"]

    public init(precision: CUDAPrecision = .bf16, architectures: [String] = defaultArchitectures,
                m2cVersion: String = "0.1.0", templateDirectory: String? = nil) {
        self.precision = precision
        self.architectures = architectures
        self.m2cVersion = m2cVersion
        self.templateDirectory = templateDirectory
    }

    /// Whether `name` looks like an nvcc real architecture (`sm_` and digits, optionally `a`): what `-gencode`
    /// and `-arch` accept.
    public static func isArchitecture(_ name: String) -> Bool {
        guard name.hasPrefix("sm_") else { return false }
        var digits = name.dropFirst(3)
        if digits.last == "a" { digits = digits.dropLast() }
        return !digits.isEmpty && digits.allSatisfy(\.isNumber)
    }
}
