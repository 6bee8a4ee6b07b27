import Foundation

/// The text table of `m2c bench`: a header naming the model and build, then one row per measurement, printed as
/// each finishes (long lengths take minutes).
enum BenchTable {
    private static let columns: [(title: String, width: Int)] = [
        ("L", 6), ("batch", 6), ("thr", 4), ("ms/fwd", 11), ("min ms", 11), ("tokens/ms", 10),
        ("GFLOP/fwd", 10), ("GFLOP/s", 9), ("sgemm GF/s", 11), ("% sgemm", 8), ("peak GF/s", 10), ("% peak", 7),
    ]

    static func header(model: String, compiler: String, cflags: String) -> String {
        "m2c bench \(model) — \(compiler) \(cflags); ms/fwd is the median of the timed forwards; "
            + "sgemm: OpenBLAS 2048³, peak: independent FMA chains, both measured in this run on the same thread count\n"
            + columns.map { pad($0.title, $0.width) }.joined()
    }

    static func row(_ r: BenchRecord) -> String {
        let measured: [String] = [
            "\(r.seqLen)", "\(r.batch)", "\(r.threads)", fixed(r.msPerForward, 2), fixed(r.msPerForwardMin, 2),
            fixed(r.tokensPerMs, 3), fixed(r.modelGflopPerForward, 2), fixed(r.achievedGflops, 1),
        ]
        let yardsticks: [String] = [
            optional(r.sgemmGflopsSameRun), optional(r.percentOfSgemm, percent: true),
            optional(r.fmaPeakGflopsSameRun), optional(r.percentOfFmaPeak, percent: true),
        ]
        return zip(measured + yardsticks, columns).map { pad($0, $1.width) }.joined()
    }

    /// One decimal (and a % sign), or "-" when the yardstick was not measured.
    private static func optional(_ x: Double?, percent: Bool = false) -> String {
        guard let x else { return "-" }
        return fixed(x, 1) + (percent ? "%" : "")
    }

    private static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    private static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(1, width - s.count)) + s }
}
