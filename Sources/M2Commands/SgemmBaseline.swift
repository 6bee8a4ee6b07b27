import Foundation
import M2TargetCPU

/// The OpenBLAS sgemm yardstick of `m2c bench`: a small C program (Templates/cpu/sgemm_baseline.c.tmpl) built once
/// into the cache (CachedCProgram) and run next to each model measurement.
struct SgemmBaseline {
    struct Rate: Sendable {
        var medianGFLOPS: Double
        var bestGFLOPS: Double
    }

    let executable: String

    /// Writes the program into `cacheDirectory` and compiles it with `compiler` unless an identical build exists.
    static func prepare(cacheDirectory: String = CachedCProgram.defaultCacheDirectory, compiler: String = "cc") throws -> SgemmBaseline {
        let source: String
        do { source = try BenchmarkSources.sgemmBaseline(options: CPUEmitOptions(m2cVersion: M2CVersion.string)) } catch {
            throw GeneratedLibrary.Failure(description: "sgemm baseline: \(error)")
        }
        return SgemmBaseline(executable: try CachedCProgram.build(
            name: "sgemm_baseline", source: source, cacheDirectory: cacheDirectory, compiler: compiler, flags: ["-O2"],
            libraries: ["-lopenblas"], hint: "is libopenblas-dev installed (scripts/setup.sh)?"))
    }

    /// GFLOP/s of `n`³ sgemm products on `threads` OpenBLAS threads.
    func measure(n: Int = 2048, threads: Int, warmupSeconds: Double, reps: Int) throws -> Rate {
        let fields = try CachedCProgram.numbers(executable, ["\(n)", "\(threads)", "\(warmupSeconds)", "\(reps)"], count: 2)
        return Rate(medianGFLOPS: fields[0], bestGFLOPS: fields[1])
    }
}
