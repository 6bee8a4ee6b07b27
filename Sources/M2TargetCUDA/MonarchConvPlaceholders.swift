// Placeholders for the CUDA emitter's template set and error type (built in the wt-cuda-host branch), so the
// Monarch convolution kernel compiles on its own. The coordinator deletes this file at merge.

/// The CUDA target's text templates (Templates/cuda): whole files with `{{PLACEHOLDER}}`s.
public struct CUDATemplateSet: Sendable {
    public let files: [String: String]

    public init(files: [String: String]) { self.files = files }

    /// A whole template file with its placeholders filled; an unknown placeholder is an error.
    public func render(_ file: String, _ values: [String: String]) throws(CUDAEmitError) -> String {
        guard let text = files[file] else { throw .template(name: file, reason: "no such template") }
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw .template(name: file, reason: "unterminated placeholder")
            }
            let key = String(rest[open.upperBound..<close.lowerBound])
            guard let value = values[key] else { throw .template(name: file, reason: "no value for {{\(key)}}") }
            out += value
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}

/// Why the CUDA target cannot emit a model.
public enum CUDAEmitError: Error, Equatable, Sendable {
    case unsupported(op: String, reason: String)
    case template(name: String, reason: String)
}
