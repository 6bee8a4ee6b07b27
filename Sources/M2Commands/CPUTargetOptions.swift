import ArgumentParser
import M2Passes
import M2TargetCPU

extension CPUISA: ExpressibleByArgument {}
extension GemmBackend: ExpressibleByArgument {}

/// Code-generation choices of the CPU target, shared by every command that compiles for it
/// (`compile`, `verify`, `run --engine cpu`, `bench`): `@OptionGroup var cpu: CPUTargetOptions`.
public struct CPUTargetOptions: ParsableArguments {
    /// `native` or one of the kernel instruction sets.
    public enum ISAChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
        case native, avx512, avx2, generic
    }

    @Option(name: .customLong("cpu-isa"), help: ArgumentHelp(
        "GEMM micro-kernels: avx512, avx2, generic (portable C) or native (the best this machine has, detected when m2c runs).",
        valueName: "ISA"))
    public var isa: ISAChoice = .native

    @Option(help: ArgumentHelp("GEMM implementation: m2c (packed-weight micro-kernels) or openblas (cblas_sgemm, links -lopenblas).",
                               valueName: "IMPL"))
    public var gemm: GemmBackend = .m2c

    @Flag(name: .customLong("no-fusion"), help: "Skip the fuse pass (every op runs as its own kernel; the comparison path for fusion).")
    public var noFusion = false

    @Option(name: .customLong("disable-fusion"), help: ArgumentHelp("Switch one fusion rule off (repeatable; `m2c passes` lists them).",
                                                                   valueName: "RULE"))
    public var disabledFusionRules: [String] = []

    public init() {}

    public mutating func validate() throws {
        for rule in disabledFusionRules where !FusionRules.names.contains(rule) {
            throw ValidationError("unknown fusion rule '\(rule)'; known rules: \(FusionRules.names.joined(separator: ", "))")
        }
    }

    /// The CPU pass pipeline these options select.
    public var pipeline: [any Pass] {
        // cblas_sgemm finishes each column block on its own: a GLU stays its own kernel on the OpenBLAS path.
        let columnwise = gemm == .openblas ? FusionRules.columnwiseGemmNames : []
        return PassRegistry.cpuPipeline(fusion: !noFusion, disabledRules: Set(disabledFusionRules).union(columnwise))
    }

    /// The ISA the kernels are generated for (`native` resolved on this machine).
    public var resolvedISA: CPUISA {
        switch isa {
        case .native: return CPUISA.native()
        case .avx512: return .avx512
        case .avx2: return .avx2
        case .generic: return .generic
        }
    }

    public var emitOptions: CPUEmitOptions { CPUEmitOptions(isa: resolvedISA, gemm: gemm) }
}
