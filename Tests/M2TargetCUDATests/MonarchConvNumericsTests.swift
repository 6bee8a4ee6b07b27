import Foundation
import M2Reference
@testable import M2TargetCUDA
import M2Weights
import Testing

/// The only numerical check the Monarch convolution kernel gets without a GPU: the rendered device code is
/// compiled as plain C++ (no __CUDACC__) and its block functions run under an emulated block — one host thread
/// per CUDA thread, a std::barrier for __syncthreads(), shared and scratch memory poisoned with NaN — pass by
/// pass as `launch` would run them. Outputs are compared with a Float64 direct circular convolution.
@Suite struct MonarchConvNumericsTests {
    struct Case: CustomStringConvertible, Sendable {
        var channels: Int
        var length: Int
        var factors: [Int]
        var gates: (pre: Bool, post: Bool, residual: Bool)
        var sharedMemoryLimit = CUDAMonarchConvKernel.defaultSharedMemoryLimit
        var threads = 64
        var batch = 2
        var description: String {
            "H=\(channels) L=\(length) \(factors.map(String.init).joined(separator: "x")) smem≤\(sharedMemoryLimit) threads=\(threads)"
        }
    }

    static let cases: [Case] = [
        Case(channels: 3, length: 96, factors: [12, 16], gates: (true, true, true)),
        Case(channels: 2, length: 256, factors: [8, 8, 8], gates: (true, false, true)),
        Case(channels: 2, length: 64, factors: [16, 8], gates: (false, false, false), threads: 256),
        Case(channels: 2, length: 32, factors: [64], gates: (false, true, false)),
        Case(channels: 1, length: 90, factors: [6, 5, 6], gates: (true, true, true), threads: 96),
        Case(channels: 2, length: 128, factors: [2, 2, 2, 2, 2, 2, 2, 2], gates: (false, false, true)),
        // Multi-pass: stage 1 as tiles, rows of 64 (16x8x8), and stages 1–2 as tiles, rows of 12 (12x4x3x4).
        Case(channels: 2, length: 512, factors: [16, 8, 8], gates: (true, true, true), sharedMemoryLimit: 1024),
        Case(channels: 2, length: 288, factors: [12, 4, 3, 4], gates: (true, true, false), sharedMemoryLimit: 512),
    ]

    @Test("fp32 block functions match a Float64 direct convolution (host emulation)", arguments: cases)
    func matchesDirectConvolution(_ c: Case) throws {
        let compiler = try #require(HostCompiler.find(), "no host C++ compiler (g++ or clang++) found")
        let kernel = try CUDAMonarchConvKernel(channels: c.channels, length: c.length, factors: c.factors,
                                               preGate: c.gates.pre, postGate: c.gates.post, residual: c.gates.residual,
                                               precision: .fp32, templates: try MonarchConvTemplates.load(),
                                               sharedMemoryLimit: c.sharedMemoryLimit)
        if c.sharedMemoryLimit < CUDAMonarchConvKernel.defaultSharedMemoryLimit {
            #expect(kernel.scratchBytesPerItem == 8 * c.channels * 2 * c.length, "expected a multi-pass plan")
        }
        let problem = ConvolutionProblem(channels: c.channels, length: c.length, factors: c.factors, batch: c.batch,
                                         gates: c.gates, seed: UInt64(c.length * 31 + c.channels))
        let output = try HostEmulation(compiler: compiler).run(kernel, problem, threads: c.threads)
        let metrics = ErrorMetrics.compare(output.map(Double.init), problem.directConvolution())
        #expect(metrics.passes(tolerance: 1e-4), "\(c): \(metrics)")
    }
}

/// Inputs of one test convolution and its Float64 reference. The kernel K (length N per channel) is arbitrary,
/// which covers causal and bidirectional kernels and the D skip alike; its spectrum is computed by a direct DFT.
struct ConvolutionProblem {
    let channels, length, batch: Int
    let factors: [Int]
    let x, g1, g2, r: [Float]
    let kernelTaps: [Double]
    let hasPreGate, hasPostGate, hasResidual: Bool

    init(channels: Int, length: Int, factors: [Int], batch: Int, gates: (pre: Bool, post: Bool, residual: Bool), seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        func values(_ count: Int, scale: Double = 1, offset: Double = 0) -> [Float] {
            (0..<count).map { _ in Float(offset + scale * (2 * rng.nextUnitDouble() - 1)) }
        }
        self.channels = channels
        self.length = length
        self.batch = batch
        self.factors = factors
        let count = batch * channels * length
        x = values(count)
        g1 = values(count, scale: 0.5, offset: 1)
        g2 = values(count, scale: 0.5, offset: 1)
        r = values(count)
        kernelTaps = (0..<(channels * 2 * length)).map { _ in (2 * rng.nextUnitDouble() - 1) / Double(length).squareRoot() }
        (hasPreGate, hasPostGate, hasResidual) = gates
    }

    /// DFT_N(K)/N per channel in the forward transform's output order: position Σ k_i·W_i holds frequency
    /// k_1 + N_1·k_2 + N_1N_2·k_3 + …; [0] real parts, [1] imaginary parts.
    func spectrum() -> [Float] {
        let n = 2 * length
        var frequencyAt = [Int](repeating: 0, count: n)
        for pos in 0..<n {
            var rest = pos, frequency = 0, weight = 1, place = n
            for f in factors {
                place /= f
                frequency += weight * (rest / place)
                rest %= place
                weight *= f
            }
            frequencyAt[pos] = frequency
        }
        var out = [Float](repeating: 0, count: 2 * channels * n)
        for h in 0..<channels {
            for pos in 0..<n {
                var re = 0.0, im = 0.0
                for t in 0..<n {
                    let angle = -2 * Double.pi * Double((frequencyAt[pos] * t) % n) / Double(n)
                    re += kernelTaps[h * n + t] * cos(angle)
                    im += kernelTaps[h * n + t] * sin(angle)
                }
                out[h * n + pos] = Float(re / Double(n))
                out[channels * n + h * n + pos] = Float(im / Double(n))
            }
        }
        return out
    }

    /// y[i] = (Σ_{j<L} K[(i − j) mod N]·(x ⊙ g1)[j]) ⊙ g2 + r, in Float64.
    func directConvolution() -> [Double] {
        let n = 2 * length
        var y = [Double](repeating: 0, count: x.count)
        for row in 0..<(batch * channels) {
            let h = row % channels, base = row * length
            for i in 0..<length {
                var sum = 0.0
                for j in 0..<length {
                    let input = Double(x[base + j]) * (hasPreGate ? Double(g1[base + j]) : 1)
                    sum += kernelTaps[h * n + (i - j + n) % n] * input
                }
                y[base + i] = sum * (hasPostGate ? Double(g2[base + i]) : 1) + (hasResidual ? Double(r[base + i]) : 0)
            }
        }
        return y
    }
}

/// g++ or clang++ for the host emulation (C++20 for std::barrier).
struct HostCompiler {
    let path: String

    static func find() -> HostCompiler? {
        for name in ["g++", "clang++"] {
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return HostCompiler(path: candidate) }
            }
        }
        return nil
    }
}

/// Compiles the kernel's device code for the host with a driver that runs its passes block by block.
struct HostEmulation {
    let compiler: HostCompiler

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run(_ kernel: CUDAMonarchConvKernel, _ problem: ConvolutionProblem, threads: Int) throws -> [Float] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-monarch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try kernel.deviceCode(prefix: "conv").write(to: dir.appendingPathComponent("kernel.cu"), atomically: true, encoding: .utf8)
        try Self.driver.write(to: dir.appendingPathComponent("driver.cpp"), atomically: true, encoding: .utf8)
        let inputs: [(String, [Float])] = [
            ("x", problem.x), ("g1", problem.hasPreGate ? problem.g1 : []), ("g2", problem.hasPostGate ? problem.g2 : []),
            ("r", problem.hasResidual ? problem.r : []), ("spectrum", problem.spectrum()), ("tables", kernel.tables),
        ]
        for (name, values) in inputs {
            try values.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: dir.appendingPathComponent(name + ".bin"))
        }
        let build = try Self.shell(compiler.path, ["-std=c++20", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread",
                                                    "-o", "driver", "driver.cpp"], in: dir)
        guard build.status == 0 else { throw Failure(description: "host build failed:\n\(build.output)") }
        var arguments = [String(problem.batch), String(threads)]
        for pass in kernel.passes {
            arguments += [String(pass.kind.rawValue), String(pass.stage), String(pass.blocks), String(pass.sharedBytes)]
        }
        let result = try Self.shell(dir.appendingPathComponent("driver").path, arguments, in: dir)
        guard result.status == 0 else { throw Failure(description: "emulation failed:\n\(result.output)") }
        let data = try Data(contentsOf: dir.appendingPathComponent("y.bin"))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func shell(_ tool: String, _ arguments: [String], in dir: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = dir
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// argv: batch, threads, then per pass: kind, stage, blocks, shared bytes. Reads <name>.bin, writes y.bin.
    static let driver = #"""
    #include <barrier>
    #include <cmath>
    #include <cstdio>
    #include <cstdlib>
    #include <thread>
    #include <vector>
    #include "kernel.cu"

    struct host_sync {
        std::barrier<> *barrier;
        void operator()() { barrier->arrive_and_wait(); }
    };

    static std::vector<float> load(const char *name) {
        std::vector<float> values;
        char path[64];
        std::snprintf(path, sizeof path, "%s.bin", name);
        if (FILE *f = std::fopen(path, "rb")) {
            float v;
            while (std::fread(&v, sizeof v, 1, f) == 1) values.push_back(v);
            std::fclose(f);
        }
        return values;
    }

    int main(int argc, char **argv) {
        const m2c_plan &plan = conv_plan;
        const int batch = std::atoi(argv[1]), threads = std::atoi(argv[2]);
        const std::vector<float> x = load("x"), g1 = load("g1"), g2 = load("g2"), r = load("r");
        const std::vector<float> spectrum = load("spectrum"), tables = load("tables");
        const float nan = std::nanf("");
        std::vector<float> y(x.size(), nan);
        std::vector<float2> scratch((size_t)batch * plan.channels * plan.n, float2{nan, nan});
        const m2c_io<float> io{x.data(), g1.empty() ? nullptr : g1.data(), g2.empty() ? nullptr : g2.data(),
                               r.empty() ? nullptr : r.data(), spectrum.data(), tables.data(), y.data(),
                               plan.split ? scratch.data() : nullptr};
        for (int a = 3; a + 3 < argc; a += 4) {
            const int kind = std::atoi(argv[a]), stage = std::atoi(argv[a + 1]), blocks = std::atoi(argv[a + 2]);
            const size_t bytes = (size_t)std::atol(argv[a + 3]);
            for (int b = 0; b < batch; ++b)
                for (int h = 0; h < plan.channels; ++h)
                    for (int bx = 0; bx < blocks; ++bx) {
                        std::vector<float2> smem(bytes / sizeof(float2), float2{nan, nan});
                        std::barrier<> barrier(threads);
                        std::vector<std::thread> team;
                        for (int t = 0; t < threads; ++t)
                            team.emplace_back([&, t] {
                                host_sync sync{&barrier};
                                m2c_pass_block<m2c_simt_engine>(plan, io, kind, stage, bx, h, b, smem.data(), t, threads, sync);
                            });
                        for (std::thread &member : team) member.join();
                    }
        }
        FILE *f = std::fopen("y.bin", "wb");
        if (!f || std::fwrite(y.data(), sizeof(float), y.size(), f) != y.size()) return 1;
        std::fclose(f);
        return 0;
    }
    """#
}

/// Templates/cuda read from the package (the CUDA emitter embeds them; these tests read the files directly).
enum MonarchConvTemplates {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates/cuda")
    }

    static func load() throws -> CUDATemplateSet {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("monarch_conv") {
            files[name] = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        return CUDATemplateSet(files: files)
    }
}
