/// Forward's statements, each with the C condition it runs under (from ModelInterface.partialReaders): consecutive
/// statements under the same condition share one `if (condition) { … }` block.
public struct GuardedStatements {
    private var runs: [(condition: String?, text: String)] = []

    public init() {}

    public mutating func append(_ text: String, when condition: String?) {
        if let last = runs.last, last.condition == condition {
            runs[runs.count - 1].text += text
        } else {
            runs.append((condition, text))
        }
    }

    /// The statements (4-space indented lines), each run under a condition indented once more inside its block.
    public var text: String {
        runs.map { run in
            guard let condition = run.condition else { return run.text }
            let body = run.text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }
            return "    if (\(condition)) {\n" + body.joined(separator: "\n") + (run.text.hasSuffix("\n") ? "" : "\n") + "    }\n"
        }.joined()
    }
}
