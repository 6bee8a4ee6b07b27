import Foundation

/// One `m2c bench` measurement: a model at one sequence length, batch and thread count. `--json` prints each
/// as one line (keys in snake_case, sorted); the text table shows the same numbers.
struct BenchRecord: Codable {
    var model: String
    var seqLen: Int
    var batch: Int
    var threads: Int
    /// Median and fastest of the timed forwards.
    var msPerForward: Double
    var msPerForwardMin: Double
    var reps: Int
    var tokensPerMs: Double
    /// Model flops (FlopCount: FFT-route long convolutions, multiply-add = 2) of one forward of `batch` items.
    var modelGflopPerForward: Double
    /// modelGflopPerForward over the median time.
    var achievedGflops: Double
    /// OpenBLAS sgemm 2048³ on `threads` threads, median of its timed calls, measured just before this model
    /// (nil when the baseline could not be built).
    var sgemmGflopsSameRun: Double?
    var percentOfSgemm: Double?
    /// The float32 FMA peak on `threads` threads (independent FMA chains, best of 5), measured just before this
    /// model: the roofline. nil with `--no-peak`, for CUDA, or where the machine has no vector FMA to measure.
    var fmaPeakGflopsSameRun: Double?
    var percentOfFmaPeak: Double?
    var compiler: String
    var cflags: String
    var m2cVersion: String
    /// ISO 8601, UTC.
    var date: String
    var profile: [ProfileRow]?
    /// Where the CPU target's GEMM tiles came from: `cost-model`, `tuned` (--tune, in this run) or `file PATH`
    /// (--tiles); nil for CUDA.
    var tiles: String?
    /// With `--memory`: peak RSS of one forward out of process and the memory plan's terms.
    var memory: MemoryMeasurement?

    /// One op (or op kind) of a `--profile` run, per forward.
    struct ProfileRow: Codable {
        var op: String
        var label: String
        var msPerForward: Double
        var gflopPerForward: Double
        var gflops: Double
        /// Fraction of the summed op times.
        var share: Double

        enum CodingKeys: String, CodingKey {
            case op, label, share, gflops
            case msPerForward = "ms_per_forward"
            case gflopPerForward = "gflop_per_forward"
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, batch, threads, reps, compiler, cflags, date, profile, memory, tiles
        case seqLen = "seq_len"
        case msPerForward = "ms_per_forward"
        case msPerForwardMin = "ms_per_forward_min"
        case tokensPerMs = "tokens_per_ms"
        case modelGflopPerForward = "model_gflop_per_forward"
        case achievedGflops = "achieved_gflops"
        case sgemmGflopsSameRun = "sgemm_gflops_same_run"
        case percentOfSgemm = "percent_of_sgemm"
        case fmaPeakGflopsSameRun = "fma_peak_gflops_same_run"
        case percentOfFmaPeak = "percent_of_fma_peak"
        case m2cVersion = "m2c_version"
    }

    /// One line of JSON (optional fields that are nil are written as null so every line has every key).
    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var object = try JSONSerialization.jsonObject(with: encoder.encode(self)) as? [String: Any] ?? [:]
        let nullable: [CodingKeys] = [.sgemmGflopsSameRun, .percentOfSgemm, .fmaPeakGflopsSameRun, .percentOfFmaPeak]
        for key in nullable where object[key.rawValue] == nil {
            object[key.rawValue] = NSNull()
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
