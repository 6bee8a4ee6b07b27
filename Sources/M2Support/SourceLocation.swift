/// A position in a source file: 1-based line and column (columns count Unicode scalars).
/// Every AST node and IR op carries one so diagnostics can point at the `.m2` source.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A half-open range within one file, used to underline more than one character.
public struct SourceRange: Hashable, Sendable {
    public var start: SourceLocation
    /// Number of columns covered on the start line (at least 1).
    public var length: Int

    public init(_ start: SourceLocation, length: Int = 1) {
        self.start = start
        self.length = max(1, length)
    }
}
