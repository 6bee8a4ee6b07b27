import M2Passes

/// The CUDA kernel of one `monarch_conv` op (docs/CUDA-MONARCH.md): y = conv(x ⊙ g1) ⊙ g2 + r as a Monarch FFT
/// convolution in shared memory, one thread block per (batch item, channel) — or, for lengths whose complex
/// sequence does not fit a block's shared memory, several passes through global scratch. The CUDA emitter
/// includes `deviceCode` once per op, uploads `tables` once at open, and pastes `launch` into its forward.
public struct CUDAMonarchConvKernel: Sendable {
    /// Threads per block of every pass.
    public static let threadsPerBlock = 256
    /// The most dynamic shared memory a block may opt in to on sm_80 (A100; H100 allows 227 KB). The emitted
    /// code runs on both, so plans stay within the smaller limit by default.
    public static let defaultSharedMemoryLimit = 166_912

    let plan: MonarchConvPlan
    let precision: CUDAPrecision
    let templates: CUDATemplateSet
    let hasPreGate: Bool
    let hasPostGate: Bool
    let hasResidual: Bool

    public init(channels: Int, length: Int, factors: [Int], preGate: Bool, postGate: Bool, residual: Bool,
                precision: CUDAPrecision, templates: CUDATemplateSet,
                sharedMemoryLimit: Int = CUDAMonarchConvKernel.defaultSharedMemoryLimit) throws(CUDAEmitError) {
        plan = try MonarchConvPlan(channels: channels, sequenceLength: length, factors: factors,
                                   sharedMemoryLimit: sharedMemoryLimit, tensorCoreMatrices: precision.usesTensorCores)
        self.precision = precision
        self.templates = templates
        hasPreGate = preGate
        hasPostGate = postGate
        hasResidual = residual
        // Render once so a missing or mismatched template is reported here, not as broken code later.
        _ = try deviceCode(prefix: "m2c_probe")
        _ = try renderLaunch(prefix: "m2c_probe", x: "x", g1: nil, g2: nil, residual: nil, spectrum: "s", tables: "t",
                             output: "y", scratch: nil, batch: "1", stream: "0")
    }

    /// The shared helpers (once per translation unit, include-guarded) and this op's kernel `prefix_pass`.
    public func deviceCode(prefix: String) throws(CUDAEmitError) -> String {
        guard Self.isIdentifier(prefix) else {
            throw .template(name: "monarch_conv.cu.tmpl", reason: "kernel prefix '\(prefix)' is not a C identifier")
        }
        let common = try templates.render("monarch_conv_common.cu.tmpl", ["THREADS": String(Self.threadsPerBlock)])
        let instance = try templates.render("monarch_conv.cu.tmpl", [
            "PREFIX": prefix, "H": String(plan.channels), "L": String(plan.sequenceLength), "N": String(plan.length),
            "FACTORS": plan.factors.map(String.init).joined(separator: "x"), "T": precision.storageType,
            "ENGINE": engine, "ENGINE_NOTE": engineNote, "PASS_NOTE": plan.summary,
            "PLAN": plan.literal,
        ])
        return common + "\n" + instance
    }

    /// A compound statement launching every pass of this op on `stream`. Pointer arguments are C expressions
    /// (device pointers); absent operands are nil. `scratch` must hold `batch · scratchBytesPerItem` bytes when
    /// that is non-zero. The first execution also raises the shared kernel's dynamic shared-memory cap (a static
    /// flag; run one forward before capturing a CUDA graph).
    public func launch(prefix: String, x: String, g1: String?, g2: String?, residual: String?, spectrum: String,
                       tables: String, output: String, scratch: String?, batch: String, stream: String) -> String {
        do {
            return try renderLaunch(prefix: prefix, x: x, g1: g1, g2: g2, residual: residual, spectrum: spectrum,
                                    tables: tables, output: output, scratch: scratch, batch: batch, stream: stream)
        } catch {
            // Unreachable after init's probe render; still fail the nvcc build loudly rather than silently.
            return "#error \"monarch_conv launch: \(error)\"\n"
        }
    }

    /// ω_N^j for j < N as (re, im) pairs, rounded from Float64 (the DFT factor matrices and twiddles are all
    /// powers of ω_N, so this one table serves every stage).
    public var tables: [Float] {
        let n = plan.length
        var values = [Float](repeating: 0, count: 2 * n)
        for j in 0..<n {
            let w = MonarchDFT.root(j, of: n, inverse: false)
            values[2 * j] = Float(w.re)
            values[2 * j + 1] = Float(w.im)
        }
        return values
    }

    public var scratchBytesPerItem: Int { plan.scratchBytesPerItem }

    /// The passes in launch order (for the host emulation in the tests and for docs).
    var passes: [MonarchConvPlan.Pass] { plan.passes }

    // MARK: - Rendering

    /// The device-code engine: which units run the DFT factor products.
    var engine: String {
        switch precision {
        case .fp32: return "m2c_simt_engine"
        case .fp16: return "m2c_mma_engine<m2c_f16>"
        case .bf16: return "m2c_mma_engine<m2c_bf16>"
        }
    }

    private var engineNote: String {
        precision.usesTensorCores ? "DFT products on the tensor cores (mma.sync m16n8k16, fp32 accumulation)"
            : "DFT products on the CUDA cores (fp32 SIMT)"
    }

    private func renderLaunch(prefix: String, x: String, g1: String?, g2: String?, residual: String?, spectrum: String,
                              tables: String, output: String, scratch: String?, batch: String,
                              stream: String) throws(CUDAEmitError) -> String {
        var launches = ""
        for pass in plan.passes {
            launches += try templates.render("monarch_conv_pass.cu.tmpl", [
                "PREFIX": prefix, "BLOCKS": String(pass.blocks), "H": String(plan.channels), "BATCH": batch,
                "THREADS": String(Self.threadsPerBlock), "SMEM": String(pass.sharedBytes), "STREAM": stream,
                "KIND": String(pass.kind.rawValue), "STAGE": String(pass.stage), "NOTE": Self.describe(pass),
            ])
        }
        func pointer(_ expression: String?, present: Bool) -> String { present ? expression ?? "nullptr" : "nullptr" }
        return try templates.render("monarch_conv_launch.cu.tmpl", [
            "PREFIX": prefix, "PASS_NOTE": plan.summary, "MAX_SMEM": String(plan.maxSharedBytes),
            "T": precision.storageType, "X": x, "G1": pointer(g1, present: hasPreGate),
            "G2": pointer(g2, present: hasPostGate), "R": pointer(residual, present: hasResidual),
            "SPECTRUM": spectrum, "TABLES": tables, "Y": output,
            "SCRATCH": pointer(scratch, present: plan.scratchBytesPerItem > 0), "LAUNCHES": launches,
        ])
    }

    private static func describe(_ pass: MonarchConvPlan.Pass) -> String {
        switch pass.kind {
        case .fused: return "all stages, one block per (item, channel)"
        case .forwardTile: return "forward stage \(pass.stage + 1), tiles"
        case .rows: return "stages \(pass.stage + 1)… forward, spectrum product, inverse, rows"
        case .inverseTile: return "inverse stage \(pass.stage + 1), tiles"
        }
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
