import Foundation

/// The text table of `m2c bench`: a header naming the model and build, then one row per measurement, printed as
/// each finishes (long lengths take minutes).
enum BenchTable {
    private static let columns: [(title: String, width: Int)] = [
        ("L", 6), ("batch", 6), ("thr", 4), ("ms/fwd", 11), ("min ms", 11), ("tokens/ms", 10),
        ("GFLOP/fwd", 10), ("GFLOP/s", 9), ("sgemm GF/s", 11), ("% sgemm", 8),
    ]

    static func header(model: String, compiler: String, cflags: String) -> String {
        "m2c bench \(model) — \(compiler) \(cflags); ms/fwd is the median of the timed forwards; "
            + "sgemm: OpenBLAS 2048³ measured in this run on the same thread count\n"
            + columns.map { pad($0.title, $0.width) }.joined()
    }

    static func row(_ r: BenchRecord) -> String {
        let cells = [
            "\(r.seqLen)", "\(r.batch)", "\(r.threads)", fixed(r.msPerForward, 2), fixed(r.msPerForwardMin, 2),
            fixed(r.tokensPerMs, 3), fixed(r.modelGflopPerForward, 2), fixed(r.achievedGflops, 1),
            r.sgemmGflopsSameRun.map { fixed($0, 1) } ?? "-", r.percentOfSgemm.map { fixed($0, 1) + "%" } ?? "-",
        ]
        return zip(cells, columns).map { pad($0, $1.width) }.joined()
    }

    private static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    private static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(1, width - s.count)) + s }
}
