/// C programs that benchmarks build beside a generated library (their text lives in Templates/cpu like every
/// other line of C that m2c writes).
public enum BenchmarkSources {
    /// The OpenBLAS sgemm yardstick of `m2c bench` (Templates/cpu/sgemm_baseline.c.tmpl): a standalone program,
    /// `cc -O2 sgemm_baseline.c -lopenblas`, run as `sgemm_baseline N THREADS WARMUP_SECONDS REPS`.
    public static func sgemmBaseline(options: CPUEmitOptions = CPUEmitOptions()) throws(CPUEmitError) -> String {
        try TemplateSet.load(options).render("sgemm_baseline.c.tmpl", ["M2C_VERSION": escapeC(options.m2cVersion)])
    }

    /// The FMA-peak yardstick of `m2c bench` (Templates/cpu/fma_peak.c.tmpl): a standalone program,
    /// `cc -O2 -march=native -pthread fma_peak.c`, run as `fma_peak THREADS`.
    public static func fmaPeak(options: CPUEmitOptions = CPUEmitOptions()) throws(CPUEmitError) -> String {
        try TemplateSet.load(options).render("fma_peak.c.tmpl", ["M2C_VERSION": escapeC(options.m2cVersion)])
    }
}
