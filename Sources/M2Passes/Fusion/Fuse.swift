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
    public let summary = "Fuse pointwise chains into GEMM epilogues, residual adds into LayerNorm, gates into Monarch convolutions (named rules)."

    /// The annotation listing the rules that formed a fused op.
    public static let annotation = "fused"

    public var disabled: Set<String>

    public init(disabled: Set<String> = []) { self.disabled = disabled }

    public func run(_ graph: inout Graph, _ context: inout PassContext) throws {
        let rules = FusionRules.all.filter { !disabled.contains($0.name) }
        var sweep = RewriteSweep(rules: rules, maxRewritesPerOp: 16)
        sweep.recordingKey = Self.annotation
        sweep.run(&graph)
    }
}

/// The fusion rules in the order they are tried on each op.
public enum FusionRules {
    static var all: [RewriteRule] {
        [
            .monarchPreGate,
            .monarchPostGate,
            .monarchResidual,
            .matmulBias,
            .matmulResidual,
            .matmulActivation,
            .glu,
            .residualLayerNorm,
        ]
    }

    /// The rule names, for `m2c passes` and `--disable-fusion NAME` validation.
    public static var names: [String] { all.map(\.name) }
}
