import M2IR

/// `fuse`: groups producers into their consumers so a target runs one kernel where the unfused graph runs
/// several, each writing a full tensor to memory. Every rewrite is a named rule (`FusionRules.all`, one file
/// per rule in this folder, each with a golden IR test in Tests/M2PassesTests/Inputs/fuse-*.ir); a fused op
/// lists the rules that formed it in its `fused` annotation, so `m2c ir --target cpu` shows them.
///
/// A rule absorbs a producer only when the consumer is its sole reader (`RewriteState.soleProducer`), so
/// fusion never computes a value twice. Rules can be switched off one by one (`disabled`), which is how the
/// fusion on/off tests and `--no-fusion` compare both graphs against the reference.
public struct Fuse: Pass {
    public let name = "fuse"
    public let summary = "Fuse pointwise chains into GEMM epilogues, residual adds into LayerNorm, gates into Monarch convolutions; fold the mixer's transposes (named rules)."

    /// The annotation listing the rules that formed a fused op.
    public static let annotation = "fused"

    public var disabled: Set<String>

    public init(disabled: Set<String> = []) { self.disabled = disabled }

    public func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        // Three sweeps: the layout rules see the fused ops (a monarch_conv with its gates and residual), so one
        // transpose moves past each whole kernel; the input convolution is fused once the mixer is channels-last.
        for (group, cleanup) in [(FusionRules.pointwise, []), (FusionRules.layout, FusionRules.transposeCleanup),
                                 (FusionRules.input, [])] {
            let rules = group.filter { !disabled.contains($0.name) }
            guard !rules.isEmpty else { continue }
            var sweep = RewriteSweep(rules: rules + cleanup, maxRewritesPerOp: 16)
            sweep.recordingKey = Self.annotation
            var swept = graph
            sweep.run(&swept)
            // The layout rules only move transposes; they pay when the moved ones cancel. Where they cannot
            // (a rule switched off, a consumer with no channels-last form) they may leave more transposed
            // elements than before: then the graph keeps its layout.
            if !cleanup.isEmpty, Self.transposedElements(swept) >= Self.transposedElements(graph) { continue }
            graph = swept
        }
    }

    /// Elements moved by the graph's transposes (per batch item): what the layout rules must reduce.
    static func transposedElements(_ graph: Graph) -> Int {
        graph.ops.reduce(0) { total, op in
            if case .transpose = op.kind { return total + op.type.elementCount }
            return total
        }
    }
}

/// The fusion rules in the order they are tried on each op.
public enum FusionRules {
    static var all: [RewriteRule] { pointwise + layout + input }

    /// Producers into consumers: epilogues, gates, residual adds, GLU.
    static var pointwise: [RewriteRule] {
        [
            .monarchPreGate,
            .monarchPostGate,
            .monarchResidual,
            .matmulBias,
            .matmulResidual,
            .matmulActivation,
            .glu,
            .matmulGLU,
            .residualLayerNorm,
        ]
    }

    /// Transposes folded into the sequence ops around them (SequenceLayout): each rule moves one transpose
    /// below an op that can run channels-last, where it meets and cancels the transpose back (CPU only: the
    /// CUDA kernels are channels-first, so `PassRegistry.cudaPipeline` switches these off).
    static var layout: [RewriteRule] {
        [
            .shortConvChannelsLast,
            .sliceThroughTranspose,
            .monarchChannelsLast,
        ]
    }

    /// Convolutions into the channels-last `monarch_conv` that reads their result (after the layout rules).
    static var input: [RewriteRule] { [.monarchShortConv] }

    /// canonicalize's transpose rules, run with the layout rules so the moved transposes cancel in the same
    /// sweep (they are not fusion rules: no name of theirs is accepted by --disable-fusion).
    static var transposeCleanup: [RewriteRule] {
        Canonicalize.rules.filter { ["transpose-transpose", "identity-transpose"].contains($0.name) }
    }

    /// The rules only the CPU kernels implement: the layout rules (the CUDA sequence kernels take one layout)
    /// and the GLU epilogue (the CUDA and OpenBLAS GEMMs finish each column on its own).
    public static var cpuOnlyNames: Set<String> { Set((layout + input).map(\.name)).union([MatmulGLU.name]) }

    /// The rules a GEMM that finishes each column on its own (OpenBLAS, CUDA) cannot take.
    public static var columnwiseGemmNames: Set<String> { [MatmulGLU.name] }

    /// The rule names, for `m2c passes` and `--disable-fusion NAME` validation.
    public static var names: [String] { all.map(\.name) }
}
