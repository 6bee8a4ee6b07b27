/// Element-wise functions of one operand.
public enum UnaryFn: String, Hashable, Sendable, CaseIterable {
    /// Exact GELU: 0.5·x·(1 + erf(x/√2)).
    case gelu
    /// tanh-approximated GELU (not used by M2-BERT; available to users).
    case geluTanh = "gelu_tanh"
    case sin, cos, exp, log, tanh, sigmoid, relu, abs, neg, sqrt, rsqrt, square
}

/// Element-wise functions of two operands, with numpy-style broadcasting over the static
/// dimensions (right-aligned) and over the batch (an unbatched operand is shared by all items).
public enum BinaryFn: String, Hashable, Sendable, CaseIterable {
    case add, sub, mul, div, maximum, minimum
}

public enum ReduceFn: String, Hashable, Sendable, CaseIterable {
    case sum, mean, max
}

/// The primitive op set. Every composite block of the `.m2` language expands into these.
/// Operand conventions are listed per case; result types follow `OpKind.inferType`.
public enum OpKind: Hashable, Sendable {
    /// Run-time input (token ids, token types, attention mask). No operands.
    case input(name: String)
    /// A tensor from the weights file, by its state-dict key. No operands.
    case weight(key: String)
    /// Compile-time constant (folded filters, generated tables). No operands.
    case constant(ConstantData)

    /// y[..., b·q + r] = Σ_s W[b, r, s] · x[..., b·p + s]   (torch Linear / BlockdiagLinear convention, W is out × in).
    /// Operands: x f32[..., n], W f32[nb, q, p] (or f32[m, n] for a dense matrix, i.e. one block).
    /// x is zero-padded from n to nb·p when n < nb·p; the result is truncated to `outFeatures` (≤ nb·q).
    case blockDiagMatmul(outFeatures: Int)

    /// Operands: x. Shape preserved.
    case unary(UnaryFn)
    /// x·c. Shape preserved.
    case scale(Double)
    /// x + c. Shape preserved.
    case shift(Double)
    /// Operands: a, b (broadcast).
    case binary(BinaryFn)

    /// LayerNorm over the last axis with biased variance. Operands: x f32[..., D], gamma f32[D], beta f32[D].
    case layerNorm(eps: Double)
    /// Reduction over one static axis, which is removed. Operands: x.
    case reduce(ReduceFn, axis: Int)

    /// Embedding lookup. Operands: table f32[V, D] (unbatched), ids i32[...]. Result f32[..., D].
    /// Out-of-range ids are a run-time error of the executor, never a silent read.
    case gather

    /// Causal depthwise convolution along the last axis with `taps` taps (M2's short conv):
    /// y[c, i] = bias[c] + Σ_k W[c, k] · x[c, i − (taps−1) + k], x[c, j<0] = 0.
    /// Operands: x f32[..., C, L], W f32[C, taps], bias f32[C] (optional, 3rd operand). With `layout`
    /// `.channelsLast` x and y are f32[..., L, C] (same arithmetic, the axes swapped).
    case shortConv(taps: Int, layout: SequenceLayout = .channelsFirst)

    /// Long convolution along the last axis (M2's implicit-filter convolution, §3.7 of the semantics):
    /// y[h,i] = Σ_{j≤i} kFwd[h,i−j]·x[h,j] + (bidirectional ? Σ_{j>i} kRev[h,j−i−1]·x[h,j] : 0) + (skip ? D[h]·x[h,i] : 0).
    /// Operands: x f32[..., H, L], kFwd f32[H, L], then kRev f32[H, L] if bidirectional, then D f32[H] if hasSkip.
    /// A single op for now; later passes lower it to Monarch-FFT form.
    case longConv(bidirectional: Bool, hasSkip: Bool)

    /// A long convolution with compile-time kernels as one fused Monarch-FFT op (docs/MONARCH_FFT.md):
    ///
    ///     y = conv(x ⊙ g1) ⊙ g2 + r
    ///
    /// where conv is what `long_conv` computes (§3.7), given here by its spectrum. Operands: x f32[..., H, L];
    /// then g1 if `preGate`, g2 if `postGate`, r if `residual` (each of the result's type); last the
    /// unbatched spectrum f32[2, H, N], N = 2L = ∏`factors` (each in 2…64, the first even): [0] real, [1]
    /// imaginary part of DFT_N(K)/N, K the length-N kernel of §3.6 with D folded into its first tap, stored per
    /// channel in the forward Monarch output order (`MonarchSpectrumOrder.frequencies(factors:)`: position
    /// k1·N2⋯Np + … + kp holds frequency k1 + N1·k2 + N1N2·k3 + …). The first L samples of the circular
    /// convolution of x zero-padded to N with K are the result. With `layout` `.channelsLast` x, the gates, r
    /// and y are f32[..., L, H] (the spectrum stays [2, H, N]). With an `inputConv` (channels-last only) the
    /// operands are z f32[..., L, S·H], W f32[S·H, taps], bias f32[S·H], then r if `residual`, then the
    /// spectrum, and x, g1, g2 are segments of short_conv(z, W, bias) (MonarchInputConv).
    case monarchConv(factors: [Int], preGate: Bool, postGate: Bool, residual: Bool, layout: SequenceLayout = .channelsFirst,
                     inputConv: MonarchInputConv? = nil)

    /// Permutes the static axes: result.shape[i] = x.shape[perm[i]].
    case transpose(perm: [Int])
    /// Reinterprets the static shape (same element count); the target shape is the result type's.
    case reshape
    /// x[..., start..<end, ...] along one static axis.
    case slice(axis: Int, start: Int, end: Int)
    /// Concatenation of ≥ 1 operands along a static axis.
    case concat(axis: Int)
    /// Element type conversion.
    case cast(DType)

    /// Gated linear unit along the last axis: x f32[..., 2I] → f32[..., I], y = f(x[..., :I]) ⊙ x[..., I:]
    /// (what `mul(f(slice(x, 0..<I)), slice(x, I..<2I))` computes). Formed by the fusion rule `glu`.
    case glu(UnaryFn)
    /// LayerNorm(a + b) over the last axis (as `layer_norm` of `add`). Operands: a, b f32[..., D] of the same static
    /// shape (either may be unbatched, shared by all items), gamma f32[D], beta f32[D]. Formed by `residual-layer-norm`.
    case addLayerNorm(eps: Double)
    /// `blockdiag_matmul` (same operands, product and `outFeatures`) followed by `epilogue`, applied in order to
    /// every element of the product: `.bias` adds an operand f32[outFeatures] to every row, `.residual` adds an
    /// operand of the result's type, `.unary(f)` applies f. Operands: x, W, then one per bias/residual step in
    /// step order. Formed by the rules `matmul-bias`, `matmul-activation`, `matmul-residual`.
    case fusedMatmul(outFeatures: Int, epilogue: [EpilogueStep])

    /// The op's name in the textual IR (`m2c ir`).
    public var mnemonic: String {
        switch self {
        case .input: return "input"
        case .weight: return "weight"
        case .constant: return "const"
        case .blockDiagMatmul: return "blockdiag_matmul"
        case .unary(let f): return f.rawValue
        case .scale: return "scale"
        case .shift: return "shift"
        case .binary(let f): return f.rawValue
        case .layerNorm: return "layer_norm"
        case .reduce(let f, _): return "reduce_\(f.rawValue)"
        case .gather: return "gather"
        case .shortConv: return "short_conv"
        case .longConv: return "long_conv"
        case .monarchConv: return "monarch_conv"
        case .transpose: return "transpose"
        case .reshape: return "reshape"
        case .slice: return "slice"
        case .concat: return "concat"
        case .cast: return "cast"
        case .glu: return "glu"
        case .addLayerNorm: return "add_layer_norm"
        case .fusedMatmul: return "fused_matmul"
        }
    }

    /// Ops without operands that introduce values (graph leaves).
    public var isLeaf: Bool {
        switch self {
        case .input, .weight, .constant: return true
        default: return false
        }
    }

    /// Ops that only relabel or move data (no arithmetic).
    public var isLayoutOnly: Bool {
        switch self {
        case .transpose, .reshape, .slice, .concat: return true
        default: return false
        }
    }
}
