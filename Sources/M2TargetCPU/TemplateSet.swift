import Foundation

/// The CPU target's text templates (Templates/cpu): whole files with `{{PLACEHOLDER}}`s, named fragments
/// (`@@ name` sections of fragments.c.tmpl) and element-wise C expressions (expressions.def).
public struct TemplateSet {
    let files: [String: String]
    private let fragments: [String: String]
    private let expressions: [String: String]

    /// The compiled-in copies, or the files of `options.templateDirectory` when set.
    static func load(_ options: CPUEmitOptions) throws(CPUEmitError) -> TemplateSet {
        guard let dir = options.templateDirectory else { return try TemplateSet(files: embeddedCPUTemplates) }
        var files: [String: String] = [:]
        for name in embeddedCPUTemplates.keys {
            let path = (dir as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .template(name: path, reason: "cannot read the file")
            }
            files[name] = text
        }
        return try TemplateSet(files: files)
    }

    init(files: [String: String]) throws(CPUEmitError) {
        self.files = files
        guard let fragmentText = files["fragments.c.tmpl"], let expressionText = files["expressions.def"] else {
            throw .template(name: "fragments.c.tmpl / expressions.def", reason: "missing")
        }
        fragments = Self.sections(of: fragmentText)
        expressions = Self.definitions(of: expressionText)
    }

    /// A whole template file with its placeholders filled.
    func render(_ file: String, _ values: [String: String]) throws(CPUEmitError) -> String {
        guard let text = files[file] else { throw .template(name: file, reason: "no such template") }
        return try fill(text, values, template: file)
    }

    /// A named fragment of fragments.c.tmpl with its placeholders filled.
    func fragment(_ name: String, _ values: [String: String]) throws(CPUEmitError) -> String {
        guard let text = fragments[name] else { throw .template(name: "fragments.c.tmpl", reason: "no fragment '\(name)'") }
        return try fill(text, values, template: "fragments.c.tmpl@\(name)")
    }

    /// The C expression named `name` in expressions.def, with its placeholders filled.
    func expression(_ name: String, _ values: [String: String] = [:]) throws(CPUEmitError) -> String {
        guard let text = expressions[name] else { throw .template(name: "expressions.def", reason: "no expression '\(name)'") }
        return try fill(text, values, template: "expressions.def@\(name)")
    }

    func hasExpression(_ name: String) -> Bool { expressions[name] != nil }

    private func fill(_ text: String, _ values: [String: String], template: String) throws(CPUEmitError) -> String {
        do { return try Self.fillPlaceholders(text, values) } catch { throw .template(name: template, reason: error.reason) }
    }

    /// Why `fillPlaceholders` failed (the caller names the template).
    public struct PlaceholderError: Error {
        public var reason: String
    }

    /// Replaces every `{{KEY}}` in one pass (inserted text is not rescanned); an unknown key is an error so a
    /// template and its caller cannot drift apart silently. Shared with the CUDA target's templates.
    public static func fillPlaceholders(_ text: String, _ values: [String: String]) throws(PlaceholderError) -> String {
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw PlaceholderError(reason: "unterminated placeholder")
            }
            let key = String(rest[open.upperBound..<close.lowerBound])
            guard let value = values[key] else { throw PlaceholderError(reason: "no value for {{\(key)}}") }
            out += value
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Splits a fragments file at its `@@ name` lines; each body keeps its lines and ends with one newline.
    public static func sections(of text: String) -> [String: String] {
        var result: [String: String] = [:]
        var current: String?
        var lines: [Substring] = []
        func finish() {
            guard let c = current else { return }
            while lines.last?.isEmpty == true { lines.removeLast() }
            result[c] = lines.joined(separator: "\n") + "\n"
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@ ") {
                finish()
                current = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                lines = []
            } else {
                lines.append(line)
            }
        }
        finish()
        return result
    }

    private static func definitions(of text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            result[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }
}
