// libFuzzer target: arbitrary bytes as a .m2 file, through the lexer, parser and elaborator (with the
// prelude, as `m2c` reads every file) and, when elaboration succeeds, the IR verifier.
// Any outcome is fine except a crash, a sanitizer report, a hang or an unbounded allocation.
import M2Frontend
import M2IR
import M2Support

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzM2Source(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Files are read as UTF-8 by the CLI; bytes that are not UTF-8 never reach the lexer.
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    // Imports read other files: keep the fuzzer inside its input.
    if text.contains("import") { return 0 }
    do {
        let model = try Frontend.elaborate(source: text, fileName: "fuzz.m2", options: ElaborationOptions())
        _ = Verifier.verify(model.graph)
    } catch {
        // Rendering exercises the caret excerpts on hostile text (tabs, long lines, odd columns).
        _ = DiagnosticRenderer(sources: error.sources).render(error.diagnostics)
    }
    return 0
}
