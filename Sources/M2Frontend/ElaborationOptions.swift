/// What the caller asks of one elaboration.
public struct ElaborationOptions: Sendable {
    /// Model parameters to override by name; an unknown name is an error listing the parameters.
    public var paramOverrides: [String: ParamValue] = [:]
    /// Add `probe` statements to the graph as probe outputs named `<prefix>:<name>`.
    public var keepProbes = false
    /// Keep only these outputs (unknown names are an error); nil keeps all. Unselected outputs are
    /// not elaborated at all, so their ops never reach the graph.
    public var outputs: [String]? = nil

    public init() {}
}
