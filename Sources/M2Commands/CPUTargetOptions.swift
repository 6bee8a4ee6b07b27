import ArgumentParser
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

    public init() {}

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
