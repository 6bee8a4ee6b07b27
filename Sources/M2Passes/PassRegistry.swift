/// Every pass by name: drives `m2c passes`, `--after NAME`, golden IR tests' `# RUN:` lines and docs/IR.md.
public enum PassRegistry {
    public static var all: [any Pass] {
        [
            FoldConstants(),
            Canonicalize(),
            DeadCodeElimination(),
            LowerLongConv(),
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

    /// The CPU target's pipeline: the front pipeline, then long convolutions in Monarch-FFT form, whose
    /// layout chains and shared DFT tables canonicalize merges, and dce drops the direct kernels.
    public static var cpuPipeline: [any Pass] {
        frontendPipeline + [
            LowerLongConv(),
            Canonicalize(),
            DeadCodeElimination(),
        ]
    }
}
