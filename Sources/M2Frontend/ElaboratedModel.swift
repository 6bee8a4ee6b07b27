import M2IR

/// The result of elaborating a `.m2` model: its IR graph and what a caller needs to report on it.
public struct ElaboratedModel: Sendable {
    public var graph: Graph
    public var modelName: String
    /// Every model parameter with the value used (after overrides), in declaration order.
    public var params: [(name: String, value: ParamValue)]
    /// File name → text of every file read (the prelude as `<prelude>`), for `DiagnosticRenderer`.
    public var sources: [String: String]

    public init(graph: Graph, modelName: String, params: [(name: String, value: ParamValue)], sources: [String: String]) {
        self.graph = graph
        self.modelName = modelName
        self.params = params
        self.sources = sources
    }
}
