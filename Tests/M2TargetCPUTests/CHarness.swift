import Foundation
import M2TargetCPU

/// Writes an emitted library to a fresh directory, builds it with its Makefile, and compiles, links and runs
/// C drivers against it.
struct CHarness {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let directory: URL
    let library: EmittedLibrary
    let compiler: String
    let cflags: String
    /// Command prefix the programs run under (an emulator for a cross `compiler`); empty to run them directly.
    let runner: [String]

    static let strict = "-O1 -g -Wall -Wextra -Werror -std=c11"
    static let sanitized = strict + " -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

    /// Emits nothing itself: writes `library`, runs `make` with `compiler`/`cflags` (add `OPENMP=0` via `make`).
    init(_ library: EmittedLibrary, compiler: String, cflags: String = strict, openMP: Bool = true, runner: [String] = []) throws {
        self.library = library
        self.compiler = compiler
        self.cflags = cflags
        self.runner = runner
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("m2c-cpu-\(library.name)-\(compiler)-\(UUID().uuidString.prefix(8))")
        try library.write(to: directory.path)
        try Self.shell("make -s CC=\(compiler) CFLAGS='\(cflags)' OPENMP=\(openMP ? 1 : 0) lib\(library.name).a \(library.name).pc",
                       in: directory)
    }

    /// Compiles `source` as a C driver linked with the static library; returns the executable's path.
    func driver(_ source: String, named name: String = "driver") throws -> URL {
        let file = directory.appendingPathComponent("\(name).c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let libs = try Self.shell("make -s CC=\(compiler) print-libs", in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.shell("\(compiler) \(cflags) -I. \(name).c -o \(name) \(libs)", in: directory)
        return directory.appendingPathComponent(name)
    }

    /// Runs a program; returns its exit status and standard output (standard error is appended on failure).
    func run(_ program: URL, _ arguments: [String] = []) throws -> (status: Int32, output: String) {
        let p = Process()
        if runner.isEmpty {
            p.executableURL = program
            p.arguments = arguments
        } else {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = runner + [program.path] + arguments
        }
        p.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = "2"
        env["ASAN_OPTIONS"] = "detect_leaks=1"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if p.terminationStatus != 0 { text += String(decoding: errData, as: UTF8.self) }
        return (p.terminationStatus, text)
    }

    var weightsPath: String { directory.appendingPathComponent("\(library.name).m2w").path }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    @discardableResult
    static func shell(_ command: String, in directory: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command + " 2>&1"]
        p.currentDirectoryURL = directory
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw Failure(description: "`\(command)` failed:\n\(text)") }
        return text
    }

    static func hasCompiler(_ cc: String) -> Bool { (try? shell("command -v \(cc)", in: URL(fileURLWithPath: "/"))) != nil }
}

/// An AArch64 cross toolchain and qemu's user-mode emulator (scripts/setup.sh installs both on Debian): how the
/// neon kernels, and the portable C ones on a CPU other than x86, are built and run on an x86 machine.
enum CrossAArch64 {
    static let compiler = "aarch64-linux-gnu-gcc"
    static let runner = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]
    static let available = CHarness.hasCompiler(compiler) && CHarness.hasCompiler(runner[0])
    static let missing = "SKIPPED: \(compiler) or \(runner[0]) not found — run scripts/setup.sh (Debian: gcc-aarch64-linux-gnu, qemu-user)"
}

/// Parses driver output lines `out NAME v0 v1 …` into name → values.
func parseOutputs(_ text: String) -> [String: [Double]] {
    var result: [String: [Double]] = [:]
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "out" else { continue }
        result[String(parts[1])] = parts.dropFirst(2).compactMap { Double($0) }
    }
    return result
}

/// Largest |actual − expected| relative to max(1, max |expected|) per output; every output must be present.
func maxRelativeError(_ actual: [String: [Double]], _ expected: [String: [Double]]) -> [(String, Double)] {
    expected.keys.sorted().map { name in
        guard let a = actual[name], let e = expected[name], a.count == e.count else { return (name, .infinity) }
        let scale = max(1, e.map { abs($0) }.max() ?? 0)
        let err = zip(a, e).map { abs($0 - $1) }.max() ?? 0
        return (name, err / scale)
    }
}

/// qemu's x86-64 user-mode emulator, whose `-cpu` models are CPUs older than this one (Haswell: AVX2 and FMA, no
/// AVX-512; qemu64: neither).
enum EmulatedX86 {
    /// Whether the machine running the tests is x86-64 (where x86 code runs natively and AArch64's does not).
    static let isHost: Bool = {
        #if arch(x86_64)
        return true
        #else
        return false
        #endif
    }()
    static let available = isHost && CHarness.hasCompiler("qemu-x86_64")
}
