import M2IR
import M2Support
import M2Weights

/// What a pass may consult besides the graph. Weights are optional: without them, passes that need
/// weight values (constant folding of weight-dependent subgraphs) leave those ops alone.
public struct PassContext {
    public var weights: WeightStore?
    /// Warnings and notes passes want the user to see.
    public var diagnostics: [Diagnostic] = []

    public init(weights: WeightStore? = nil) { self.weights = weights }
}

/// An IR → IR transformation with a kebab-case name (used by `m2c ir --after NAME` and `--dump-ir`).
/// A pass must leave a graph that passes the verifier; the pass manager checks it after every pass.
public protocol Pass {
    var name: String { get }
    /// One line for `m2c passes` and the docs.
    var summary: String { get }
    func run(_ graph: inout Graph, _ context: inout PassContext) throws
}
