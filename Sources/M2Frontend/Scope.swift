/// Lexical variable scope. `let` defines in the innermost scope; assignment updates the scope
/// that defined the name, so a loop can carry `x = Layer(x)` across iterations.
final class Scope {
    private var variables: [String: Value] = [:]
    private let parent: Scope?

    init(parent: Scope? = nil) { self.parent = parent }

    func lookup(_ name: String) -> Value? { variables[name] ?? parent?.lookup(name) }

    func definesLocally(_ name: String) -> Bool { variables[name] != nil }

    func define(_ name: String, _ value: Value) { variables[name] = value }

    /// Returns false when no enclosing scope defines `name`.
    func assign(_ name: String, _ value: Value) -> Bool {
        if variables[name] != nil {
            variables[name] = value
            return true
        }
        return parent?.assign(name, value) ?? false
    }

    /// Every visible name, for "did you mean" hints.
    var visibleNames: Set<String> { Set(variables.keys).union(parent?.visibleNames ?? []) }
}
