import M2Support

/// A parsed `.m2` file: imports, block definitions and at most one model.
public struct SourceFile: Hashable, Sendable {
    public var file: String
    public var imports: [Import]
    public var blocks: [BlockDecl]
    public var models: [ModelDecl]

    public init(file: String, imports: [Import] = [], blocks: [BlockDecl] = [], models: [ModelDecl] = []) {
        self.file = file
        self.imports = imports
        self.blocks = blocks
        self.models = models
    }
}

public struct Import: Hashable, Sendable {
    public var path: String
    public var range: SourceRange
}

/// A parameter of a block or model: `name`, `name: int = 3`, `u: f32[L, H]`.
public struct Param: Hashable, Sendable {
    public var name: String
    public var range: SourceRange
    public var type: TypeAnnotation?
    public var defaultValue: Expr?
}

public indirect enum TypeAnnotation: Hashable, Sendable {
    case int, float, bool, string
    /// `f32[L, H]`: each dim is an expression, `_`, or a fresh name that binds to the actual size.
    case tensor(dtype: String, dims: [Expr], range: SourceRange)

    public var isTensor: Bool { if case .tensor = self { return true } else { return false } }
}

public struct BlockDecl: Hashable, Sendable {
    public var name: String
    public var range: SourceRange
    public var params: [Param]
    public var body: [Stmt]
}

public struct ModelDecl: Hashable, Sendable {
    public var name: String
    public var range: SourceRange
    public var params: [Param]
    public var body: [Stmt]
}

public struct Stmt: Hashable, Sendable {
    public var kind: StmtKind
    /// The statement's first token (its keyword or target name).
    public var range: SourceRange

    public init(_ kind: StmtKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

public struct Binding: Hashable, Sendable {
    public var name: String
    public var range: SourceRange
}

public struct IfBranch: Hashable, Sendable {
    public var condition: Expr
    public var body: [Stmt]
}

public indirect enum StmtKind: Hashable, Sendable {
    case `let`([Binding], Expr, destructure: Bool)
    case assign(Binding, Expr)
    case `if`(branches: [IfBranch], elseBody: [Stmt]?)
    case `for`(Binding, from: Expr, to: Expr, body: [Stmt])
    case `return`(Expr)
    case probe(Binding, Expr)
    case input(Binding, TypeAnnotation, defaultValue: Expr?)
    case output(Binding, Expr)
    case expression(Expr)
}

public struct Expr: Hashable, Sendable {
    public var kind: ExprKind
    /// Where diagnostics about this expression point: a literal or name, an operator, a callee.
    public var range: SourceRange

    public init(_ kind: ExprKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and, or
}

public enum UnaryOperator: String, Hashable, Sendable {
    case neg = "-", not
}

public struct Argument: Hashable, Sendable {
    public var label: String?
    public var labelRange: SourceRange?
    public var value: Expr
}

public enum InterpolatedPart: Hashable, Sendable {
    case text(String)
    case expr(Expr)
}

public indirect enum ExprKind: Hashable, Sendable {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string([InterpolatedPart])
    case name(String)
    /// `_` in a tensor annotation.
    case wildcard
    case list([Expr])
    case tuple([Expr])
    case index(Expr, Expr)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// `Callee(args) @ "prefix"`; the prefix applies to block calls only.
    case call(callee: String, args: [Argument], prefix: Expr?)
}
