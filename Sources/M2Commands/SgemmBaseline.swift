import Foundation
import M2TargetCPU

/// The OpenBLAS sgemm yardstick of `m2c bench`: a small C program (Templates/cpu/sgemm_baseline.c.tmpl),
/// compiled once into a cache directory (again only when its source changes) and run as a child process
/// next to each model measurement, so model and sgemm rates come from the same run and machine state.
struct SgemmBaseline {
    struct Rate: Sendable {
        var medianGFLOPS: Double
        var bestGFLOPS: Double
    }

    let executable: String

    /// `$XDG_CACHE_HOME/m2c`, else `~/.cache/m2c`.
    static var defaultCacheDirectory: String {
        if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], !xdg.isEmpty { return "\(xdg)/m2c" }
        return "\(NSHomeDirectory())/.cache/m2c"
    }

    /// Writes the program into `cacheDirectory` and compiles it with `compiler` unless an identical build exists.
    static func prepare(cacheDirectory: String = defaultCacheDirectory, compiler: String = "cc") throws -> SgemmBaseline {
        let source: String
        do { source = try BenchmarkSources.sgemmBaseline(options: CPUEmitOptions(m2cVersion: M2CVersion.string)) } catch {
            throw GeneratedLibrary.Failure(description: "sgemm baseline: \(error)")
        }
        let directory = "\(cacheDirectory)/sgemm-baseline"
        let sourcePath = "\(directory)/sgemm_baseline.c", executable = "\(directory)/sgemm_baseline"
        let fm = FileManager.default
        if (try? String(contentsOfFile: sourcePath, encoding: .utf8)) == source, fm.isExecutableFile(atPath: executable) {
            return SgemmBaseline(executable: executable)
        }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let result = try Subprocess.run([compiler, "-O2", sourcePath, "-o", executable, "-lopenblas"])
        guard result.status == 0 else {
            throw GeneratedLibrary.Failure(description: """
                cannot build the OpenBLAS sgemm baseline (\(compiler) \(sourcePath) -lopenblas); \
                is libopenblas-dev installed (scripts/setup.sh)?
                \(result.stderr)
                """)
        }
        return SgemmBaseline(executable: executable)
    }

    /// GFLOP/s of `n`³ sgemm products on `threads` OpenBLAS threads.
    func measure(n: Int = 2048, threads: Int, warmupSeconds: Double, reps: Int) throws -> Rate {
        let args = [executable, "\(n)", "\(threads)", "\(warmupSeconds)", "\(reps)"]
        let result = try Subprocess.run(args)
        let fields = result.stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        guard result.status == 0, fields.count == 2 else {
            throw GeneratedLibrary.Failure(description: "\(args.joined(separator: " ")) failed (\(result.status)): \(result.stderr)\(result.stdout)")
        }
        return Rate(medianGFLOPS: fields[0], bestGFLOPS: fields[1])
    }
}
