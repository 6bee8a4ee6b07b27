import Foundation
import M2IR

/// Runs a generated library out of process through its `NAME_harness` program: needed when the library is
/// built with sanitizers (their runtime must start with the process) or run under valgrind.
struct HarnessRunner {
    var directory: String
    var name: String
    /// Command prefix such as ["valgrind", "--error-exitcode=99", …]; empty to run the harness directly.
    var wrapper: [String] = []
    var threads: Int?

    func build(compiler: String?, cflags: String?) throws {
        try LibraryBuilder.build(directory: directory, targets: ["\(name)_harness"], compiler: compiler, cflags: cflags)
    }

    /// Runs one forward; inputs must be complete (defaults filled in) and are written in graph order.
    func forward(graph: Graph, inputs: [String: [Double]], batch: Int) throws -> [String: (shape: [Int], values: [Double])] {
        try forwardWithLog(graph: graph, inputs: inputs, batch: batch).outputs
    }

    /// `forward`, also returning what the harness wrote on stderr (e.g. its `peak_rss_bytes=` line).
    func forwardWithLog(graph: Graph, inputs: [String: [Double]],
                        batch: Int) throws -> (outputs: [String: (shape: [Int], values: [Double])], stderr: String) {
        var data = Data()
        for op in graph.inputs {
            guard case .input(let n) = op.kind, let values = inputs[n] else {
                throw GeneratedLibrary.Failure(description: "harness: no values for input \(op)")
            }
            if op.type.dtype == .i32 {
                for v in values { withUnsafeBytes(of: Int32(v)) { data.append(contentsOf: $0) } }
            } else {
                for v in values { withUnsafeBytes(of: Float(v)) { data.append(contentsOf: $0) } }
            }
        }
        let inPath = "\(directory)/harness-inputs.bin", outPath = "\(directory)/harness-outputs.bin"
        try data.write(to: URL(fileURLWithPath: inPath))
        var args = wrapper + ["\(directory)/\(name)_harness", "\(directory)/\(name).m2w", "\(batch)", inPath, outPath]
        if let threads { args.append("\(threads)") }
        let result = try Subprocess.run(args)
        guard result.status == 0 else {
            throw GeneratedLibrary.Failure(description: "\(args.joined(separator: " ")) exited with \(result.status):\n\(result.stderr)")
        }
        let out = try Data(contentsOf: URL(fileURLWithPath: outPath))
        var offset = 0
        var results: [String: (shape: [Int], values: [Double])] = [:]
        for o in graph.outputs where !o.isProbe {
            guard let t = graph.type(of: o.value) else { continue }
            let written = batch * t.elementCount, used = (t.batched ? batch : 1) * t.elementCount
            guard offset + 4 * written <= out.count else { throw GeneratedLibrary.Failure(description: "harness output is short") }
            let values: [Double] = out.withUnsafeBytes { raw in
                (0..<used).map { i in
                    t.dtype == .i32 ? Double(raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: Int32.self))
                                    : Double(raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: Float.self))
                }
            }
            results[o.name] = ((t.batched ? [batch] : []) + t.shape, values)
            offset += 4 * written
        }
        return (results, result.stderr)
    }
}

/// A child process with captured output.
enum Subprocess {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        // stderr goes to a file so a child that writes a lot to both streams cannot block on a full pipe.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-stderr-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errHandle
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? errHandle.close()
        let errData = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
