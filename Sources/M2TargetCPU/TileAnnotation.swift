import Foundation
import M2IR

/// A matmul's recorded tiles: the `tile` and `kernel` annotations the IR carries (written by the tiling model,
/// by `--tune`, or copied from an earlier IR dump by `--tiles`). When a matmul already has them the emitter
/// runs exactly these tiles, so an IR dump reproduces the kernels it describes; this checks they can run.
public enum TileAnnotation {
    /// The annotation keys.
    static let tileKey = "tile", kernelKey = "kernel", tunedKey = "tuned"

    /// Records `t` on `op` as its `tile` and `kernel` annotations, with a `tuned` note when given.
    public static func record(_ t: GemmTiling, on op: inout Op, tuned: String? = nil) {
        op.annotations[tileKey] = .string(t.annotation)
        op.annotations[kernelKey] = .string(t.kernel)
        if let tuned { op.annotations[tunedKey] = .string(tuned) }
    }

    /// The tiling recorded on `op`, nil when it has none; throws when it is malformed or does not fit `problem`
    /// under `options` (another ISA's micro-kernel, a split k for a GLU, a column block off the panels).
    public static func recorded(on op: Op, problem: GemmProblem, options: CPUEmitOptions) throws(CPUEmitError) -> GemmTiling? {
        guard let attr = op.annotations[tileKey] else { return nil }
        let value = (op.name.map { "\($0) " } ?? "") + "(\(op.kind.mnemonic) : \(op.type))"
        guard case .string(let text) = attr else {
            throw .invalidTile(value: value, tile: "\(attr)", reason: "expected a string \"mr=…,nr=…,kc=…,mc=…,nc=…\"")
        }
        func fail(_ why: String) -> CPUEmitError { .invalidTile(value: value, tile: text, reason: why) }
        let expectedKernel = options.gemm == .openblas ? "openblas" : options.isa.rawValue
        if let kernel = op.annotations[kernelKey], kernel != .string(expectedKernel) {
            let shown: String
            if case .string(let k) = kernel { shown = k } else { shown = "\(kernel)" }
            throw fail("it was chosen for the \(shown) kernel, this compile runs \(expectedKernel) (--cpu-isa / --gemm)")
        }
        var fields: [String: Int] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, let n = Int(kv[1]), n > 0, ["mr", "nr", "kc", "mc", "nc"].contains(String(kv[0])),
                  fields[String(kv[0])] == nil else {
                throw fail("expected mr=,nr=,kc=,mc=,nc= with positive integers, each once; got '\(part)'")
            }
            fields[String(kv[0])] = n
        }
        guard let mr = fields["mr"], let nr = fields["nr"], let kc = fields["kc"], let mc = fields["mc"], let nc = fields["nc"] else {
            throw fail("expected all of mr, nr, kc, mc, nc")
        }
        let model = TilingModel.tiling(for: problem, options: options)
        guard mr == model.mr, nr == model.nr else {
            throw fail("the \(model.kernel) kernel's register tile is mr=\(model.mr),nr=\(model.nr)")
        }
        let p = problem.inPerBlock, q = problem.outPerBlock
        if options.gemm == .openblas {
            guard kc == p, nc == q else { throw fail("cblas_sgemm takes the whole block: kc=\(p),nc=\(q)") }
        } else {
            guard kc <= p else { throw fail("kc=\(kc) is more than the block's k of \(p)") }
            guard !problem.wholeK || kc == p else { throw fail("a GLU epilogue needs whole k: kc=\(p)") }
            guard kc == p || kc % 16 == 0 else { throw fail("a k slice shorter than k must be a multiple of 16") }
            guard mc % mr == 0 else { throw fail("mc=\(mc) is not a multiple of mr=\(mr)") }
            guard nc % nr == 0 else { throw fail("nc=\(nc) is not a multiple of the weight panels' nr=\(nr)") }
            guard nc <= TilingModel.roundUp(q, nr) else { throw fail("nc=\(nc) is wider than the block's \(q) columns") }
        }
        let why: String
        if case .string(let tuned)? = op.annotations[tunedKey] {
            why = "recorded in the IR; tuned: " + commentSafe(tuned)
        } else {
            why = "recorded in the IR"
        }
        return GemmTiling(backend: options.gemm, isa: options.isa, mr: mr, nr: nr, kc: kc, mc: mc, nc: nc,
                          columnBlocks: TilingModel.ceilDiv(q, nc), reason: why)
    }

    /// `text` for a C block comment: one line, no comment terminator (the annotation may come from a user's file).
    static func commentSafe(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 }).replacingOccurrences(of: "*/", with: "* /")
    }
}
