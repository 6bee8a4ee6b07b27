import Foundation
import M2TargetCPU

/// The CUDA target's text templates (Templates/cuda): whole files with `{{PLACEHOLDER}}`s, filled by the CPU
/// target's placeholder filler (an unknown or missing key is an error), and the named `@@ name` sections of
/// fragments.cu.tmpl.
public struct CUDATemplateSet: Sendable {
    public let files: [String: String]
    private let fragments: [String: String]

    public init(files: [String: String]) throws(CUDAEmitError) {
        self.files = files
        fragments = files["fragments.cu.tmpl"].map(TemplateSet.sections(of:)) ?? [:]
    }

    /// The copies compiled into m2c (Templates/cuda/embed-templates.sh writes them).
    public static func embedded() throws(CUDAEmitError) -> CUDATemplateSet {
        try CUDATemplateSet(files: embeddedCUDATemplates)
    }

    /// The files of `directory` (every name the embedded set has), to try kernel edits without rebuilding m2c.
    public static func load(directory: String) throws(CUDAEmitError) -> CUDATemplateSet {
        var files: [String: String] = [:]
        for name in embeddedCUDATemplates.keys {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .template(name: path, reason: "cannot read the file")
            }
            files[name] = text
        }
        return try CUDATemplateSet(files: files)
    }

    /// A whole template file with its placeholders filled.
    public func render(_ file: String, _ values: [String: String]) throws(CUDAEmitError) -> String {
        guard let text = files[file] else { throw .template(name: file, reason: "no such template") }
        return try fill(text, values, template: file)
    }

    /// A named section of fragments.cu.tmpl with its placeholders filled.
    public func fragment(_ name: String, _ values: [String: String]) throws(CUDAEmitError) -> String {
        guard let text = fragments[name] else { throw .template(name: "fragments.cu.tmpl", reason: "no fragment '\(name)'") }
        return try fill(text, values, template: "fragments.cu.tmpl@\(name)")
    }

    private func fill(_ text: String, _ values: [String: String], template: String) throws(CUDAEmitError) -> String {
        do { return try TemplateSet.fillPlaceholders(text, values) } catch {
            throw .template(name: template, reason: error.reason)
        }
    }
}
