import Foundation

/// Knobs of the CPU C emitter.
public struct CPUEmitOptions: Sendable {
    /// Version string written into the header and the .m2w-independent constants.
    public var m2cVersion: String
    /// Read templates from this directory instead of the copies compiled into m2c (for editing kernels
    /// without rebuilding). Must hold every file of Templates/cpu.
    public var templateDirectory: String?
    /// Rows of a block-diagonal matmul processed together when its weight is computed at open (unpacked), so
    /// each weight row is reused from cache.
    public var matmulRowTile: Int
    /// Instruction set of the GEMM micro-kernels; the generated code runs only on CPUs that have it.
    public var isa: CPUISA
    /// Who computes block-diagonal and dense matmuls with stored weights.
    public var gemm: GemmBackend
    /// Cache sizes the tiling model plans for.
    public var caches: CacheSizes

    public init(m2cVersion: String = "0.1.0", templateDirectory: String? = nil, matmulRowTile: Int = 8,
                isa: CPUISA = .native(), gemm: GemmBackend = .m2c, caches: CacheSizes = .detected()) {
        self.m2cVersion = m2cVersion
        self.templateDirectory = templateDirectory
        self.matmulRowTile = matmulRowTile
        self.isa = isa
        self.gemm = gemm
        self.caches = caches
    }
}

/// The vector instruction set the GEMM micro-kernels are written for.
public enum CPUISA: String, Sendable, CaseIterable {
    /// x86-64 with AVX-512F and FMA; x86-64 with AVX2 and FMA; AArch64 (Advanced SIMD, part of every ARMv8-A core);
    /// portable C for any other CPU.
    case avx512, avx2, neon, generic

    /// The best kernel set the CPU running m2c supports (x86-64 Linux: the flags of /proc/cpuinfo; AArch64: neon;
    /// elsewhere generic).
    public static func native() -> CPUISA {
        #if arch(arm64)
        return .neon
        #else
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return .generic }
        let flags = Set(line.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("fma") { return .avx512 }
        if flags.contains("avx2") && flags.contains("fma") { return .avx2 }
        return .generic
        #endif
    }

    /// Whether the CPU running m2c executes this ISA's kernels (AVX-512 machines run the AVX2 ones too).
    public var runsHere: Bool {
        let best = Self.native()
        return self == .generic || self == best || (self == .avx2 && best == .avx512)
    }
}

/// Which GEMM implementation the generated code calls.
public enum GemmBackend: String, Sendable, CaseIterable {
    /// m2c's packed-weight micro-kernels (no dependency).
    case m2c
    /// cblas_sgemm of OpenBLAS, single-threaded per call under m2c's OpenMP split; links -lopenblas.
    case openblas
}

/// Per-core data cache sizes in bytes.
public struct CacheSizes: Sendable, Hashable {
    public var l1d: Int
    public var l2: Int

    public init(l1d: Int, l2: Int) {
        self.l1d = l1d
        self.l2 = l2
    }

    /// 32 KiB L1d, 2 MiB L2: a recent x86 server core.
    public static let defaults = CacheSizes(l1d: 32 << 10, l2: 2 << 20)

    /// The sizes Linux reports for cpu0 (/sys/devices/system/cpu/cpu0/cache), or `defaults` where unreadable.
    public static func detected() -> CacheSizes {
        var sizes = defaults
        let base = "/sys/devices/system/cpu/cpu0/cache"
        for index in 0..<8 {
            func read(_ file: String) -> String? {
                (try? String(contentsOfFile: "\(base)/index\(index)/\(file)", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let level = read("level"), let type = read("type"), let size = read("size").flatMap(parseSize) else { continue }
            if level == "1" && type == "Data" { sizes.l1d = size }
            if level == "2" && type != "Instruction" { sizes.l2 = size }
        }
        return sizes
    }

    /// "32K", "1024K", "2M" → bytes.
    static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = text.last, let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }
}
