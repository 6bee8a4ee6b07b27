import Foundation

/// Where nvcc is and how to run it. Without a GPU the toolkit comes from PyPI wheels
/// (../shared/docs/toolchain.md): scripts/setup.sh installs them into `.venv-cuda` at the package root.
/// Search order: `$M2C_NVCC`, then `nvcc` on PATH, then `.venv-cuda/lib/python3.*/site-packages/nvidia/cu13/bin/nvcc`
/// under `searchRoot` (the package root in tests, the current directory for the CLI).
public struct NVCCToolchain: Sendable {
    public let nvcc: String

    public init(nvcc: String) { self.nvcc = nvcc }

    public static func locate(searchRoot: String = FileManager.default.currentDirectoryPath,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> NVCCToolchain? {
        let fm = FileManager.default
        if let explicit = environment["M2C_NVCC"], fm.isExecutableFile(atPath: explicit) { return NVCCToolchain(nvcc: explicit) }
        for dir in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/nvcc"
            if fm.isExecutableFile(atPath: candidate) { return NVCCToolchain(nvcc: candidate) }
        }
        let lib = "\(searchRoot)/.venv-cuda/lib"
        for python in ((try? fm.contentsOfDirectory(atPath: lib)) ?? []).sorted() where python.hasPrefix("python3") {
            let candidate = "\(lib)/\(python)/site-packages/nvidia/cu13/bin/nvcc"
            if fm.isExecutableFile(atPath: candidate) { return NVCCToolchain(nvcc: candidate) }
        }
        return nil
    }

    /// The toolkit's root (…/nvidia/cu13): include/ and lib/ live there.
    public var root: String { ((nvcc as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent }

    /// What one nvcc invocation printed and returned.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs nvcc with `arguments` in `directory`, capturing stdout and stderr together.
    public func run(_ arguments: [String], in directory: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nvcc)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}

/// One kernel's line of `ptxas -v` output: registers, spills, local memory (stack frame).
public struct PtxasKernelReport: Sendable, Equatable {
    public var kernel: String
    public var architecture: String
    public var registers: Int
    public var spillStoreBytes: Int
    public var spillLoadBytes: Int
    public var stackFrameBytes: Int
    public var sharedBytes: Int

    public init(kernel: String, architecture: String, registers: Int, spillStoreBytes: Int, spillLoadBytes: Int,
                stackFrameBytes: Int, sharedBytes: Int) {
        self.kernel = kernel
        self.architecture = architecture
        self.registers = registers
        self.spillStoreBytes = spillStoreBytes
        self.spillLoadBytes = spillLoadBytes
        self.stackFrameBytes = stackFrameBytes
        self.sharedBytes = sharedBytes
    }

    /// Parses the `ptxas info` lines nvcc prints with `-Xptxas -v` (one Compiling/Function-properties/Used
    /// triple per kernel and architecture).
    public static func parse(_ text: String) -> [PtxasKernelReport] {
        var reports: [PtxasKernelReport] = []
        var current: PtxasKernelReport?
        func number(before unit: String, in line: Substring) -> Int {
            guard let range = line.range(of: unit) else { return 0 }
            let digits = line[..<range.lowerBound].reversed().drop { $0 == " " }.prefix { $0.isNumber }
            return Int(String(digits.reversed())) ?? 0
        }
        for line in text.split(separator: "\n") {
            if let r = line.range(of: "Compiling entry function '") {
                if let c = current { reports.append(c) }
                let rest = line[r.upperBound...]
                let name = rest.prefix { $0 != "'" }
                let arch = line.range(of: "for '").map { line[$0.upperBound...].prefix { $0 != "'" } } ?? ""
                current = PtxasKernelReport(kernel: String(name), architecture: String(arch), registers: 0,
                                            spillStoreBytes: 0, spillLoadBytes: 0, stackFrameBytes: 0, sharedBytes: 0)
            } else if line.contains("bytes stack frame"), current != nil {
                current?.stackFrameBytes = number(before: " bytes stack frame", in: line)
                current?.spillStoreBytes = number(before: " bytes spill stores", in: line)
                current?.spillLoadBytes = number(before: " bytes spill loads", in: line)
            } else if line.contains("Used "), line.contains("registers"), current != nil {
                current?.registers = number(before: " registers", in: line)
                current?.sharedBytes = number(before: " bytes smem", in: line)
            }
        }
        if let c = current { reports.append(c) }
        return reports
    }

    public var spills: Bool { spillStoreBytes > 0 || spillLoadBytes > 0 }
}
