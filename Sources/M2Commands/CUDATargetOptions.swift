import ArgumentParser
import M2Passes
import M2TargetCUDA

extension CUDAPrecision: ExpressibleByArgument {}

/// Code-generation choices of the CUDA target, shared by every command that compiles for it
/// (`compile --target cuda`, `verify --target cuda`, `run --engine cuda`, `bench --target cuda`).
/// Fusion switches (`--no-fusion`, `--disable-fusion`) are the CPU options' and apply to both targets.
public struct CUDATargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("CUDA storage precision: fp32 (SIMT), bf16 or fp16 (tensor cores, fp32 accumulation).", valueName: "P"))
    public var precision: CUDAPrecision = .bf16

    @Option(name: .customLong("cuda-arch"), help: ArgumentHelp("Comma-separated GPU architectures to build SASS for.", valueName: "SM,…"))
    public var architectures: String = CUDAEmitOptions.defaultArchitectures.joined(separator: ",")

    public init() {}

    public func validate() throws {
        for arch in architectureList {
            if let problem = CUDAEmitOptions.architectureProblem(arch, precision: precision) {
                throw ValidationError("--cuda-arch \(arch): \(problem)")
            }
        }
        if architectureList.isEmpty { throw ValidationError("--cuda-arch needs at least one architecture") }
    }

    var architectureList: [String] {
        architectures.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The CUDA pass pipeline, with the fusion switches of `cpu`.
    public func pipeline(_ cpu: CPUTargetOptions) -> [any Pass] {
        PassRegistry.cudaPipeline(precision: precision.rawValue, fusion: !cpu.noFusion, disabledRules: Set(cpu.disabledFusionRules))
    }

    public var emitOptions: CUDAEmitOptions { CUDAEmitOptions(precision: precision, architectures: architectureList) }

    /// `verify` tolerance (max |out − ref| ≤ tolerance · std(ref)): issue 6's bounds per precision.
    var tolerance: Double { precision == .fp32 ? 1e-4 : 2e-2 }
}
