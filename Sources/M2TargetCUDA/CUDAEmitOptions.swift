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

    /// The oldest architecture the CUDA target is compiled for at any precision (the oldest CUDA 13's nvcc
    /// accepts), and the oldest its tensor-core kernels need: bf16 wmma fragments and the convolutions'
    /// mma.m16n8k16 exist from sm_80 (Ampere) on.
    public static let oldestArchitecture = 75, oldestTensorCoreArchitecture = 80

    /// Why `arch` cannot carry this precision's kernels, or nil when it can: not an nvcc architecture name, older
    /// than sm_75, or older than sm_80 for bf16/fp16. Checked before any code is written, so the user learns it
    /// from m2c instead of from ptxas ("Feature '.m16n8k16' requires .target sm_80 or higher") after a build.
    public static func architectureProblem(_ arch: String, precision: CUDAPrecision) -> String? {
        guard isArchitecture(arch), let number = Int(arch.dropFirst(3).filter(\.isNumber)) else {
            return "not an nvcc architecture such as sm_80 or sm_90a"
        }
        if number < oldestArchitecture {
            return "older than sm_\(oldestArchitecture), the oldest architecture m2c's CUDA target is compiled for"
        }
        if precision != .fp32, number < oldestTensorCoreArchitecture {
            return "--precision \(precision.rawValue) needs sm_\(oldestTensorCoreArchitecture) or newer (tensor-core wmma on "
                + "\(precision.rawValue), mma.m16n8k16 in the convolutions); use --precision fp32 for \(arch)"
        }
        return nil
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
