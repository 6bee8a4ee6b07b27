import Foundation
import M2IR
import M2Passes
import Testing

/// Runs every `Inputs/*.ir`: the IR in the file goes through the passes named on its
/// `# RUN: pass,pass` line (verifier after each), and the printed result must satisfy its CHECK lines.
@Suite struct GoldenIRTests {
    static let inputsDirectory = String(#filePath.dropLast("GoldenIRTests.swift".count)) + "Inputs/"

    static func inputFiles() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: inputsDirectory).filter { $0.hasSuffix(".ir") }.sorted()) ?? []
    }

    @Test func inputsExist() {
        #expect(Self.inputFiles().count >= 5, "no golden IR files found in \(Self.inputsDirectory)")
    }

    @Test(arguments: inputFiles())
    func golden(_ file: String) throws {
        let text = try String(contentsOfFile: Self.inputsDirectory + file, encoding: .utf8)
        let runLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("# RUN:") }, "\(file) has no '# RUN:' line")
        let pipeline = try PassPipeline(parsing: String(runLine.dropFirst("# RUN:".count)))
        var graph = try IRParser.parse(text, file: file)
        var context = PassContext()
        try pipeline.run(&graph, context: &context)
        let output = IRPrinter.print(graph)

        let check = FileCheck(directivesIn: text)
        try #require(!check.directives.isEmpty, "\(file) has no CHECK lines")
        let failures = check.match(output)
        #expect(failures.isEmpty, "\(file):\n\(failures.joined(separator: "\n"))\n--- output ---\n\(output)")
    }
}
