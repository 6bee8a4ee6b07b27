/// Every pass by name: drives `m2c passes`, `--after NAME`, golden IR tests' `# RUN:` lines and docs/IR.md.
public enum PassRegistry {
    public static var all: [any Pass] {
        [
            FoldConstants(),
            Canonicalize(),
            DeadCodeElimination(),
            LowerLongConv(),
            FormMonarchConv(),
            Fuse(),
            AssignPrecision(),
        ]
    }

    public static func named(_ name: String) -> (any Pass)? {
        all.first { $0.name == name }
    }

    /// What the front half runs after elaboration: fold, simplify, then drop what became unused.
    public static var frontendPipeline: [any Pass] {
        [
            FoldConstants(),
            Canonicalize(),
            DeadCodeElimination(),
        ]
    }

    /// The CPU target's pipeline: the front pipeline, then (fusion on) long convolutions as single `monarch_conv`
    /// ops and the fusion rules (`disabledRules` switches single rules off), or (fusion off, the comparison path
    /// of `--no-fusion`) long convolutions expanded to Monarch-FFT primitives, whose layout chains and shared DFT
    /// tables canonicalize merges; dce drops what the rewrites left unused.
    public static func cpuPipeline(fusion: Bool = true, disabledRules: Set<String> = []) -> [any Pass] {
        frontendPipeline + (fusion ? [
            FormMonarchConv(costModel: CPUFusedMonarchCostModel()),
            Canonicalize(),
            Fuse(disabled: disabledRules),
        ] : [
            LowerLongConv(),
            Canonicalize(),
        ]) + [
            DeadCodeElimination(),
        ]
    }

    /// The CUDA target's pipeline: the front pipeline, the long-convolution lowering, canonicalize, fusion (as
    /// on the CPU but without the CPU-only rules: the CUDA sequence kernels read channels-first rows and its
    /// GEMM has no GLU epilogue), dce, then
    /// `assign-precision` records the library's storage precision on every op.
    public static func cudaPipeline(precision: String, fusion: Bool = true, disabledRules: Set<String> = []) -> [any Pass] {
        frontendPipeline + [
            // long_conv → monarch_conv: one shared-memory Monarch-FFT kernel per op on the GPU (with --no-fusion
            // the Monarch FFT runs as the expanded GEMMs instead, as on the CPU).
            fusion ? FormMonarchConv() : LowerLongConv(),
            Canonicalize(),
        ] + (fusion ? [Fuse(disabled: disabledRules.union(FusionRules.cpuOnlyNames))] : []) + [
            DeadCodeElimination(),
            AssignPrecision(precision: precision),
        ]
    }

    /// The CPU pipeline with every fusion rule on.
    public static var cpuPipeline: [any Pass] { cpuPipeline() }
}
