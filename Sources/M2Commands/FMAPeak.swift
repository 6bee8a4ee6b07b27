import Foundation
import M2TargetCPU

/// The roofline of `m2c bench`: this machine's float32 FMA peak on the run's thread count, measured by a small C
/// program (Templates/cpu/fma_peak.c.tmpl, built `-march=native` once into the cache) just before and just after
/// each timed batch, so "% of peak" compares numbers from the same minute of a shared machine.
struct FMAPeak {
    let executable: String

    /// Writes the program into `cacheDirectory` and compiles it with `compiler` unless an identical build exists.
    static func prepare(cacheDirectory: String = CachedCProgram.defaultCacheDirectory, compiler: String = "cc") throws -> FMAPeak {
        let source: String
        do { source = try BenchmarkSources.fmaPeak(options: CPUEmitOptions(m2cVersion: M2CVersion.string)) } catch {
            throw GeneratedLibrary.Failure(description: "FMA peak: \(error)")
        }
        return FMAPeak(executable: try CachedCProgram.build(
            name: "fma_peak", source: source, cacheDirectory: cacheDirectory, compiler: compiler,
            flags: ["-O2", "-march=native", "-pthread"], hint: "the FMA peak needs a C compiler that accepts -march=native"))
    }

    /// GFLOP/s of independent FMA chains on `threads` threads; nil when the build has no vector FMA (neither x86-64
    /// with AVX2 or AVX-512 nor AArch64), where the program reports 0 lanes.
    func measure(threads: Int) throws -> Double? {
        let fields = try CachedCProgram.numbers(executable, ["\(threads)"], count: 2)
        return fields[1] > 0 && fields[0] > 0 ? fields[0] : nil
    }

    /// The roofline of one timed batch from the measurements just before and just after it: the higher one, since
    /// a disturbance on a shared host can only make a measurement slow; nil when neither measured.
    static func roofline(_ before: Double?, _ after: Double?) -> Double? {
        [before, after].compactMap { $0 }.max()
    }
}
