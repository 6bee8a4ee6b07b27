import M2Passes

/// How one `monarch_conv` runs on the GPU (docs/CUDA-MONARCH.md): the stage geometry of its factorization and
/// the kernel passes that cover it. When the whole length-N complex sequence of one (item, channel) fits in a
/// block's shared memory, one fused pass does everything. Otherwise stages 1…s (s ≥ 1, the smallest that makes
/// a row of S_{s+1} positions fit) each run as a tile pass through global scratch, forward and inverse, and the
/// inner stages s+1…p with the spectrum product run as one row pass.
struct MonarchConvPlan: Sendable {
    /// The pass kinds of `m2c_pass_kind` in monarch_conv_common.cu.tmpl.
    enum PassKind: Int, Sendable {
        case fused = 0, forwardTile = 1, rows = 2, inverseTile = 3
    }

    /// One launch: `blocks` thread blocks per (item, channel), each with `sharedBytes` of dynamic shared memory.
    struct Pass: Sendable, Equatable {
        var kind: PassKind
        var stage: Int
        var blocks: Int
        var sharedBytes: Int
    }

    /// Most levels the kernel's plan struct holds (N ≤ 2^16 with factors ≥ 2).
    static let maxLevels = 16
    /// Tile passes load at most this many columns (and this much shared memory) per block.
    static let maxTileWidth = 128
    static let maxTileSharedBytes = 64 * 1024

    let channels: Int
    let sequenceLength: Int
    let factors: [Int]
    /// W_i: the place value of digit i in a sequence position.
    let placeValues: [Int]
    /// S_i = N_i·W_i: positions spanned by one group of stage-i columns.
    let spans: [Int]
    /// Offset of stage i's ω_{N_i} table in shared memory (complex elements).
    let rootOffsets: [Int]
    /// Tensor-core path: byte offset in shared memory of stage i's real-form DFT matrix (one per distinct N_i,
    /// 16·⌈N_i/8⌉ square, 2-byte entries); nil on the SIMT path.
    let matrixOffsets: [Int]?
    /// Shared memory before the sequence: the ω tables and the matrices (bytes, a multiple of 8).
    let tableBytes: Int
    /// 0: one fused pass; s ≥ 1: stages 1…s are tile passes.
    let split: Int
    /// Columns per tile of each tile-pass stage (0 for the others).
    let tileWidths: [Int]
    let passes: [Pass]

    var length: Int { 2 * sequenceLength }
    var rootCount: Int { factors.reduce(0, +) }

    init(channels: Int, sequenceLength: Int, factors: [Int], sharedMemoryLimit: Int,
         tensorCoreMatrices: Bool) throws(CUDAEmitError) {
        let op = "monarch_conv"
        guard channels >= 1, sequenceLength >= 1 else {
            throw .unsupported(op: op, reason: "needs at least one channel and a positive length (H = \(channels), L = \(sequenceLength))")
        }
        guard let plan = MonarchFactorization(factors), plan.length == 2 * sequenceLength else {
            throw .unsupported(op: op, reason: "factors \(factors) are not an even-first factorization of N = 2L = \(2 * sequenceLength)")
        }
        let allowed = MonarchFactorization.defaultAllowedFactors
        guard factors.allSatisfy(allowed.contains), factors.count <= Self.maxLevels else {
            throw .unsupported(op: op, reason: "factors \(plan) must lie in \(allowed.lowerBound)…\(allowed.upperBound), at most \(Self.maxLevels) of them")
        }
        self.channels = channels
        self.sequenceLength = sequenceLength
        self.factors = factors
        var w = [Int](repeating: 1, count: factors.count)
        for i in stride(from: factors.count - 2, through: 0, by: -1) { w[i] = w[i + 1] * factors[i + 1] }
        let spans = zip(factors, w).map { $0 * $1 }
        placeValues = w
        self.spans = spans
        rootOffsets = factors.indices.map { factors[..<$0].reduce(0, +) }

        var tableBytes = 8 * factors.reduce(0, +)
        if tensorCoreMatrices {
            var offsetOf: [Int: Int] = [:]
            for radix in factors where offsetOf[radix] == nil {
                let size = 16 * ((radix + 7) / 8)
                offsetOf[radix] = tableBytes
                tableBytes += 2 * size * size
            }
            matrixOffsets = factors.map { offsetOf[$0] ?? 0 }
        } else {
            matrixOffsets = nil
        }
        self.tableBytes = tableBytes
        let n = plan.length
        func bytes(_ elements: Int) -> Int { tableBytes + 8 * elements }
        if bytes(n) <= sharedMemoryLimit {
            split = 0
            tileWidths = [Int](repeating: 0, count: factors.count)
            passes = [Pass(kind: .fused, stage: 0, blocks: 1, sharedBytes: bytes(n))]
            return
        }
        guard let s = (1..<factors.count).first(where: { bytes(spans[$0]) <= sharedMemoryLimit }) else {
            throw .unsupported(op: op, reason: "no row of factors \(plan) fits \(sharedMemoryLimit) bytes of shared memory")
        }
        split = s
        let tileLimit = min(sharedMemoryLimit, Self.maxTileSharedBytes)
        var widths = [Int](repeating: 0, count: factors.count)
        for i in 0..<s {
            // The widest tile that divides the stage's columns (so tiles never straddle a group) and fits.
            let fitting = (1...min(w[i], Self.maxTileWidth)).filter { w[i] % $0 == 0 && bytes(factors[i] * $0) <= tileLimit }
            guard let width = fitting.last else {
                throw .unsupported(op: op, reason: "no tile of stage \(i + 1) of \(plan) fits \(tileLimit) bytes of shared memory")
            }
            widths[i] = width
        }
        tileWidths = widths
        let tiles = (0..<s).map { i in
            (stage: i, blocks: (n / spans[i]) * (w[i] / widths[i]), bytes: bytes(factors[i] * widths[i]))
        }
        passes = tiles.map { Pass(kind: .forwardTile, stage: $0.stage, blocks: $0.blocks, sharedBytes: $0.bytes) }
            + [Pass(kind: .rows, stage: s, blocks: n / spans[s], sharedBytes: bytes(spans[s]))]
            + tiles.reversed().map { Pass(kind: .inverseTile, stage: $0.stage, blocks: $0.blocks, sharedBytes: $0.bytes) }
    }

    /// Global scratch per batch item: the complex spectrum of every channel between passes.
    var scratchBytesPerItem: Int { split == 0 ? 0 : 8 * channels * length }

    var maxSharedBytes: Int { passes.map(\.sharedBytes).max() ?? 0 }

    /// One line for the generated code's comments.
    var summary: String {
        if split == 0 { return "one fused pass, \(passes[0].sharedBytes) B shared memory per block" }
        return "\(passes.count) passes through global scratch (stages 1…\(split) as tiles of \(tileWidths[..<split].map(String.init).joined(separator: ", ")) columns, "
            + "rows of \(spans[split]) positions), at most \(maxSharedBytes) B shared memory per block"
    }

    /// The C initializer of `m2c_plan`.
    var literal: String {
        func array(_ values: [Int]) -> String {
            "{" + (values + [Int](repeating: 0, count: Self.maxLevels - values.count)).map(String.init).joined(separator: ", ") + "}"
        }
        let fields = [String(channels), String(length), String(sequenceLength), String(factors.count), String(split),
                      String(rootCount), array(factors), array(placeValues), array(spans), array(rootOffsets),
                      array(tileWidths), array(matrixOffsets ?? factors.map { _ in -1 }), String(tableBytes / 8)]
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

extension MonarchConvPlan {
    /// The table of docs/CUDA-MONARCH.md: per sequence length, the CPU-chosen factors and the GPU plan for each
    /// engine (a test checks the doc contains this function's output).
    static func markdownTable(channels: Int, sequenceLengths: [Int],
                              sharedMemoryLimit: Int = CUDAMonarchConvKernel.defaultSharedMemoryLimit) throws -> String {
        var lines = [
            "| L | factors | passes (fp32) | max smem / block fp32 | max smem / block bf16, fp16 | scratch / item (H = \(channels)) |",
            "|---|---|---|---|---|---|",
        ]
        for l in sequenceLengths {
            let factors = try MonarchFactorization.cheapest(for: 2 * l).factors
            let simt = try MonarchConvPlan(channels: channels, sequenceLength: l, factors: factors,
                                           sharedMemoryLimit: sharedMemoryLimit, tensorCoreMatrices: false)
            let mma = try MonarchConvPlan(channels: channels, sequenceLength: l, factors: factors,
                                          sharedMemoryLimit: sharedMemoryLimit, tensorCoreMatrices: true)
            let passes = simt.split == 0 ? "1 (fused)" : "\(simt.passes.count) (split after stage \(simt.split))"
            let scratch = simt.scratchBytesPerItem == 0 ? "—" : "\(simt.scratchBytesPerItem / (1 << 20)) MiB"
            lines.append("| \(l) | \(simt.factors.map(String.init).joined(separator: "x")) | \(passes) | "
                + "\(simt.maxSharedBytes) B | \(mma.maxSharedBytes) B | \(scratch) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
