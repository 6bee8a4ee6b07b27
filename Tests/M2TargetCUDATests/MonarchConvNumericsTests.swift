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
        /// Forces a multi-pass plan: shared memory for the tables plus this many complex elements.
        var rowLimit: Int?
        var expectedSplit = 0
        var threads = 64
        var batch = 2
        var description: String {
            "H=\(channels) L=\(length) \(factors.map(String.init).joined(separator: "x")) split=\(expectedSplit) threads=\(threads)"
        }
    }

    static let cases: [Case] = [
        Case(channels: 3, length: 96, factors: [12, 16], gates: (true, true, true)),
        Case(channels: 2, length: 256, factors: [8, 8, 8], gates: (true, false, true)),
        Case(channels: 2, length: 64, factors: [16, 8], gates: (false, false, false), threads: 256),
        Case(channels: 2, length: 32, factors: [64], gates: (false, true, false)),
        Case(channels: 1, length: 90, factors: [6, 5, 6], gates: (true, true, true), threads: 96),
        Case(channels: 2, length: 128, factors: [2, 2, 2, 2, 2, 2, 2, 2], gates: (false, false, true)),
        // Multi-pass: stage 1 as tiles and rows of 64 (16x8x8); stages 1–2 as tiles and rows of 12 (12x4x3x4).
        Case(channels: 2, length: 512, factors: [16, 8, 8], gates: (true, true, true), rowLimit: 64, expectedSplit: 1),
        Case(channels: 2, length: 288, factors: [12, 4, 3, 4], gates: (true, true, false), rowLimit: 12, expectedSplit: 2),
    ]

    /// maxAbs/std allowed per precision. fp32 is the project's tolerance; fp16 and bf16 round the DFT operands at
    /// every level, forward and inverse (measured worst cases: fp16 3.8e-3 with 4 levels, bf16 1.9e-2).
    static func tolerance(_ precision: CUDAPrecision) -> Double {
        switch precision {
        case .fp32: return 1e-4
        case .fp16: return 5e-3
        case .bf16: return 4e-2
        }
    }

    @Test("block functions match a Float64 direct convolution (host emulation)", arguments: cases, CUDAPrecision.allCases)
    func matchesDirectConvolution(_ c: Case, _ precision: CUDAPrecision) throws {
        let compiler = try #require(HostCompiler.find(), "no host C++ compiler (g++ or clang++) found")
        let templates = try MonarchConvTemplates.load()
        func kernel(sharedMemoryLimit: Int) throws -> CUDAMonarchConvKernel {
            try CUDAMonarchConvKernel(channels: c.channels, length: c.length, factors: c.factors, preGate: c.gates.pre,
                                      postGate: c.gates.post, residual: c.gates.residual, precision: precision,
                                      templates: templates, sharedMemoryLimit: sharedMemoryLimit)
        }
        var conv = try kernel(sharedMemoryLimit: CUDAMonarchConvKernel.defaultSharedMemoryLimit)
        if let rowLimit = c.rowLimit { conv = try kernel(sharedMemoryLimit: conv.plan.tableBytes + 8 * rowLimit) }
        #expect(conv.plan.split == c.expectedSplit)
        #expect(conv.scratchBytesPerItem == (c.expectedSplit > 0 ? 8 * c.channels * 2 * c.length : 0))
        let problem = ConvolutionProblem(channels: c.channels, length: c.length, factors: c.factors, batch: c.batch,
                                         gates: c.gates, seed: UInt64(c.length * 31 + c.channels))
        let output = try HostEmulation(compiler: compiler).run(conv, problem, threads: c.threads)
        let metrics = ErrorMetrics.compare(output.map(Double.init), problem.directConvolution())
        #expect(metrics.passes(tolerance: Self.tolerance(precision)), "\(c) \(precision): \(metrics)")
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
                                                    "-DENGINE=\(kernel.engine)", "-o", "driver", "driver.cpp"], in: dir)
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
    #include <memory>
    #include <thread>
    #include <vector>
    #include "kernel.cu"

    [[maybe_unused]] static float operand_value(m2c_bf16, unsigned bits) {
        const unsigned word = bits << 16;
        float v;
        std::memcpy(&v, &word, sizeof v);
        return v;
    }
    [[maybe_unused]] static float operand_value(m2c_f16, unsigned bits) {
        const float sign = bits & 0x8000u ? -1.0f : 1.0f;
        const int exponent = (int)((bits >> 10) & 31u), mantissa = (int)(bits & 1023u);
        if (exponent == 31) return sign * INFINITY;
        return sign * (exponent == 0 ? std::ldexp((float)mantissa, -24) : std::ldexp((float)(mantissa | 1024), exponent - 25));
    }

    /* What the lanes of one warp hand each other in an emulated mma.sync. */
    struct warp_exchange {
        std::barrier<> barrier{32};
        unsigned a[32][4], b[32][2];
    };

    /* The emulated block: operator() is __syncthreads(); mma gathers the warp's fragments (PTX layouts of
     * mma.m16n8k16: A row groupID (+8), columns 2·threadID_in_group (+1, +8); B rows likewise, column groupID;
     * D row groupID (+8), columns 2·threadID_in_group (+1)) and computes this lane's part of D. */
    struct host_team {
        std::barrier<> *block;
        warp_exchange *warp;
        int lane;
        void operator()() { block->arrive_and_wait(); }
        template <class Op>
        void mma(Op op, float (&d)[4], unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1) {
            const unsigned mine[4] = {a0, a1, a2, a3};
            for (int r = 0; r < 4; ++r) warp->a[lane][r] = mine[r];
            warp->b[lane][0] = b0;
            warp->b[lane][1] = b1;
            warp->barrier.arrive_and_wait();
            const int g = lane / 4, t = lane % 4;
            for (int e = 0; e < 4; ++e) {
                const int row = g + (e >= 2 ? 8 : 0), col = 2 * t + (e & 1);
                float sum = 0.0f;
                for (int k = 0; k < 16; ++k) {
                    const unsigned a = warp->a[(row % 8) * 4 + (k % 8) / 2][(row >= 8 ? 1 : 0) + (k >= 8 ? 2 : 0)];
                    const unsigned b = warp->b[col * 4 + (k % 8) / 2][k >= 8 ? 1 : 0];
                    sum += operand_value(op, (a >> (16 * (k % 2))) & 0xffffu) * operand_value(op, (b >> (16 * (k % 2))) & 0xffffu);
                }
                d[e] += sum;
            }
            warp->barrier.arrive_and_wait();
        }
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
                        std::vector<warp_exchange> warps((size_t)(threads + 31) / 32);
                        std::vector<std::thread> team;
                        for (int t = 0; t < threads; ++t)
                            team.emplace_back([&, t] {
                                host_team context{&barrier, &warps[(size_t)t / 32], t % 32};
                                m2c_pass_block<ENGINE>(plan, io, kind, stage, bx, h, b, smem.data(), t, threads, context);
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
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !name.hasSuffix(".sh") {
            files[name] = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        return try CUDATemplateSet(files: files)
    }
}
