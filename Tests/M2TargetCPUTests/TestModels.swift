import M2IR
import M2Weights

/// Small graphs and weights for the CPU target tests.
enum TestModels {
    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: Int) -> [Float] {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int((state >> 33) % 2000) - 1000) / 1000
        }
    }

    struct Model {
        var graph: Graph
        var weights: WeightStore
        /// Input name → [batch][shape] values (token ids as whole numbers).
        var inputs: [String: [Double]]
        var batch: Int
    }

    /// One op per output over inputs x f32[4,6], ids i32[5] (required) and tt i32[5] (default 1).
    static func everyOp() throws -> Model {
        var b = GraphBuilder(name: "every_op", attributes: ["seq_len": .int(6)])
        let tensors = InMemoryTensors(origin: "test")
        var seed = 10
        func weight(_ key: String, _ shape: [Int]) throws -> ValueID {
            seed += 1
            tensors.insert(key, shape: shape, values: values(shape.reduce(1, *), seed: seed))
            return try b.weight(key, shape: shape)
        }
        /// Adds an op and marks its result as an output.
        func emit(_ name: String, _ kind: OpKind, _ operands: [ValueID]) throws {
            let v = try b.add(kind, operands)
            b.output(name, v)
        }
        let x = try b.input("x", type: .f32([4, 6], batched: true))
        let ids = try b.input("ids", type: .i32([5], batched: true))
        let tt = try b.input("tt", type: .i32([5], batched: true))
        // Larger than one 32×32 tile of the matrix-transpose kernel, with ragged edges on both axes.
        let wide = try b.input("wide", type: .f32([3, 45, 70], batched: true))

        // Weights first: the builder must not be mutated while one of its calls is evaluating arguments.
        let row = try weight("row", [6]), column = try weight("column", [4, 1])
        let blocks = try weight("blocks", [2, 3, 3]), dense = try weight("dense", [7, 6])
        let wOnly = try weight("computed_w", [3, 6])
        let gamma = try weight("gamma", [6]), beta = try weight("beta", [6])
        let gamma70 = try weight("gamma70", [70]), beta70 = try weight("beta70", [70])
        let table = try weight("table", [10, 3])
        let convW = try weight("conv_w", [4, 3]), convB = try weight("conv_b", [4]), convW2 = try weight("conv_w2", [4, 2])
        let kr = try weight("kr", [4, 6]), d = try weight("d", [4])
        let extraRows = try weight("extra_rows", [2, 6])
        let kf = try b.constant(values(24, seed: 99).map(Double.init), shape: [4, 6], name: "kf")
        let bias7 = try weight("bias7", [7]), bias5 = try weight("bias5", [5]), bias3 = try weight("bias3", [3])

        let absX = try b.add(.unary(.abs), [x])
        let positive = try b.add(.shift(0.5), [absX])
        for f in UnaryFn.allCases {
            let operand = [.log, .sqrt, .rsqrt].contains(f) ? positive : x
            try emit("u_\(f.rawValue)", .unary(f), [operand])
        }
        try emit("scale", .scale(-2.5), [x])
        try emit("shift", .shift(0.25), [x])
        for f in BinaryFn.allCases {
            try emit("b_\(f.rawValue)_row", .binary(f), [x, f == .div ? positive : row])
            try emit("b_\(f.rawValue)_col", .binary(f), [column, x])
        }
        try emit("b_batched", .binary(.mul), [x, positive])

        let x5 = try b.add(.slice(axis: 1, start: 0, end: 5), [x])
        b.output("slice", x5)
        try emit("blockdiag_pad", .blockDiagMatmul(outFeatures: 5), [x5, blocks])
        try emit("dense", .blockDiagMatmul(outFeatures: 7), [x, dense])
        let exped = try b.add(.unary(.exp), [wOnly])
        b.output("weight_only", exped)
        try emit("dense_computed_w", .blockDiagMatmul(outFeatures: 3), [x, exped])
        let denseOut = try b.add(.blockDiagMatmul(outFeatures: 7), [x, dense])
        try emit("fused_dense", .fusedMatmul(outFeatures: 7, epilogue: [.bias, .unary(.gelu), .residual]), [x, dense, bias7, denseOut])
        try emit("fused_pad", .fusedMatmul(outFeatures: 5, epilogue: [.unary(.tanh), .bias]), [x5, blocks, bias5])
        try emit("fused_computed_w", .fusedMatmul(outFeatures: 3, epilogue: [.bias, .unary(.relu)]), [x, exped, bias3])
        try emit("glu_gelu", .glu(.gelu), [x])
        try emit("glu_sigmoid", .glu(.sigmoid), [x])
        try emit("add_layer_norm", .addLayerNorm(eps: 1e-5), [x, positive, gamma, beta])
        try emit("add_layer_norm_shared", .addLayerNorm(eps: 1e-5), [kr, x, gamma, beta])

        try emit("layer_norm", .layerNorm(eps: 1e-5), [x, gamma, beta])
        // 70 = 4·16 + 6: the row moments' 16 partial sums and their scalar tail.
        try emit("layer_norm_wide", .layerNorm(eps: 1e-5), [wide, gamma70, beta70])
        try emit("add_layer_norm_wide", .addLayerNorm(eps: 1e-5), [wide, wide, gamma70, beta70])
        for f in ReduceFn.allCases {
            try emit("r_\(f.rawValue)_0", .reduce(f, axis: 0), [x])
            try emit("r_\(f.rawValue)_1", .reduce(f, axis: 1), [x])
        }
        try emit("gather", .gather, [table, ids])
        try emit("gather_default", .gather, [table, tt])

        try emit("short_conv", .shortConv(taps: 3), [x, convW, convB])
        try emit("short_conv_nobias", .shortConv(taps: 2), [x, convW2])
        // Channels-last: x read as 4 positions × 6 channels.
        try emit("short_conv_cl", .shortConv(taps: 3, layout: .channelsLast), [x, try weight("conv_w_cl", [6, 3]), gamma])
        try emit("short_conv_cl_nobias", .shortConv(taps: 2, layout: .channelsLast), [x, try weight("conv_w2_cl", [6, 2])])
        try emit("long_bidir", .longConv(bidirectional: true, hasSkip: true), [x, kf, kr, d])
        try emit("long_causal", .longConv(bidirectional: false, hasSkip: false), [x, kf])

        try emit("transpose", .transpose(perm: [1, 0]), [x])
        let x3 = try b.add(.reshape, [x], reshapeTo: [2, 2, 6])
        b.output("reshape", x3)
        try emit("transpose3", .transpose(perm: [2, 0, 1]), [x3])
        try emit("transpose_tiles", .transpose(perm: [0, 2, 1]), [wide])
        try emit("slice3", .slice(axis: 1, start: 1, end: 2), [x3])
        let doubled = try b.add(.scale(2), [x])
        try emit("concat1", .concat(axis: 1), [x, doubled])
        try emit("concat0", .concat(axis: 0), [x, extraRows])
        let x3times = try b.add(.scale(3), [x])
        let tripled = try b.add(.cast(.i32), [x3times])
        b.output("cast_i32", tripled)
        try emit("cast_f32", .cast(.f32), [ids])
        let tripledAgain = try b.add(.reshape, [tripled], reshapeTo: [4, 6])
        try emit("i32_max", .binary(.maximum), [tripled, tripledAgain])

        let batch = 2
        let inputs: [String: [Double]] = [
            "x": values(batch * 24, seed: 1).map(Double.init),
            "ids": [0, 9, 3, 3, 7, 1, 2, 8, 0, 5],
            "wide": values(batch * 3 * 45 * 70, seed: 2).map(Double.init),
        ]
        return Model(graph: withDefault(b.graph, input: "tt", value: 1), weights: WeightStore([tensors]), inputs: inputs, batch: batch)
    }

    /// A small M2-like chain: embeddings → layer norm → in-projection → short conv → long convs → GLU MLP.
    static func chain(hidden h: Int = 6, length l: Int = 5, vocab: Int = 11) throws -> Model {
        var b = GraphBuilder(name: "chain", attributes: ["seq_len": .int(l), "param.hidden": .int(h)])
        let tensors = InMemoryTensors(origin: "test")
        var seed = 100
        func weight(_ key: String, _ shape: [Int]) throws -> ValueID {
            seed += 1
            tensors.insert(key, shape: shape, values: values(shape.reduce(1, *), seed: seed))
            return try b.weight(key, shape: shape)
        }
        let ids = try b.input("input_ids", type: .i32([l], batched: true))
        let tt = try b.input("token_type_ids", type: .i32([l], batched: true))
        let word = try weight("word", [vocab, h]), type = try weight("type", [2, h])
        let lnG = try weight("ln.g", [h]), lnB = try weight("ln.b", [h])
        let inW = try weight("in.w", [3 * h, h]), inB = try weight("in.b", [3 * h])
        let scW = try weight("sc.w", [3 * h, 3]), scB = try weight("sc.b", [3 * h])
        let kF = try weight("k.f", [h, l]), kR = try weight("k.r", [h, l]), kD = try weight("k.d", [h])
        let k2F = try weight("k2.f", [h, l])
        let up = try weight("mlp.up", [4, 3, 2]), down = try weight("mlp.down", [2, 3, 3])

        let wordEmb = try b.add(.gather, [word, ids]), typeEmb = try b.add(.gather, [type, tt])
        let emb = try b.add(.binary(.add), [wordEmb, typeEmb])
        let ln = try b.add(.layerNorm(eps: 1e-12), [emb, lnG, lnB])
        let projected = try b.add(.blockDiagMatmul(outFeatures: 3 * h), [ln, inW])
        let proj = try b.add(.binary(.add), [projected, inB])
        let channels = try b.add(.transpose(perm: [1, 0]), [proj])
        let conv = try b.add(.shortConv(taps: 3), [channels, scW, scB])
        let x1 = try b.add(.slice(axis: 0, start: 0, end: h), [conv])
        let x2 = try b.add(.slice(axis: 0, start: h, end: 2 * h), [conv])
        let v = try b.add(.slice(axis: 0, start: 2 * h, end: 3 * h), [conv])
        let gated = try b.add(.binary(.mul), [x2, v])
        let y = try b.add(.longConv(bidirectional: true, hasSkip: true), [gated, kF, kR, kD])
        let causal = try b.add(.longConv(bidirectional: false, hasSkip: false), [x1, k2F])
        let product = try b.add(.binary(.mul), [y, causal])
        let mixed = try b.add(.transpose(perm: [1, 0]), [product])
        let upped = try b.add(.blockDiagMatmul(outFeatures: 10), [mixed, up])
        let gate = try b.add(.slice(axis: 1, start: 0, end: 5), [upped])
        let lin = try b.add(.slice(axis: 1, start: 5, end: 10), [upped])
        let activated = try b.add(.unary(.gelu), [gate])
        let glu = try b.add(.binary(.mul), [activated, lin])
        let downed = try b.add(.blockDiagMatmul(outFeatures: h), [glu, down])
        let hidden = try b.add(.binary(.add), [downed, mixed])
        b.output("last_hidden_state", hidden)
        let pooled = try b.add(.reduce(.mean, axis: 0), [hidden])
        b.output("pooled", pooled)
        let batch = 3
        let inputs: [String: [Double]] = ["input_ids": (0..<(batch * l)).map { Double(($0 * 7 + 3) % vocab) }]
        return Model(graph: withDefault(b.graph, input: "token_type_ids", value: 0), weights: WeightStore([tensors]),
                     inputs: inputs, batch: batch)
    }

    /// Marks an input as optional with a fill value, as the frontend does with a "default" annotation.
    static func withDefault(_ graph: Graph, input: String, value: Int) -> Graph {
        var g = graph
        for i in g.ops.indices where g.ops[i].kind == .input(name: input) { g.ops[i].annotations["default"] = .int(value) }
        return g
    }

    /// A C driver that feeds `model.inputs` (inputs without values pass NULL), runs forward and prints
    /// `out NAME values…` per output; `open`/`forward` failures print `error CODE detail`.
    /// Outputs named in `null` are passed as NULL ("not wanted") and print nothing.
    static func driver(_ model: Model, library name: String, null: Set<String> = []) -> String {
        var s = "#include \"\(name).h\"\n#include <stdio.h>\n#include <stdlib.h>\n\nint main(int argc, char **argv) {\n"
        s += "    (void)argc;\n    const int batch = \(model.batch);\n"
        var args: [String] = []
        for op in model.graph.inputs {
            guard case .input(let input) = op.kind else { continue }
            if let values = model.inputs[input] {
                let ctype = op.type.dtype == .f32 ? "float" : "int32_t"
                let literal = values.map { op.type.dtype == .f32 ? "\(Float($0))f" : "\(Int($0))" }.joined(separator: ", ")
                s += "    static const \(ctype) in_\(input)[] = { \(literal) };\n"
                args.append("in_\(input)")
            } else {
                args.append("NULL")
            }
        }
        s += "    \(name)_model *m = NULL;\n    int rc = \(name)_open(argv[1], &m);\n"
        s += "    if (rc != 0) { printf(\"error %d %s\\n\", rc, \(name)_last_error(m)); \(name)_close(m); return 0; }\n"
        s += "    \(name)_outputs out = {0};\n"
        let prefix = name.uppercased()
        for o in model.graph.outputs where !null.contains(o.name) {
            let ctype = model.graph.type(of: o.value)?.dtype == .i32 ? "int32_t" : "float"
            s += "    out.\(o.name) = malloc(sizeof(\(ctype)) * batch * \(prefix)_OUT_\(o.name.uppercased())_SIZE);\n"
        }
        s += "    rc = \(name)_forward(m, batch, \(args.joined(separator: ", ")), &out);\n"
        s += "    if (rc != 0) { printf(\"error %d %s\\n\", rc, \(name)_last_error(m)); }\n"
        for o in model.graph.outputs where !null.contains(o.name) {
            s += "    printf(\"out \(o.name)\");\n"
            s += "    for (long i = 0; rc == 0 && i < (long)batch * \(prefix)_OUT_\(o.name.uppercased())_SIZE; i++) printf(\" %.9g\", (double)out.\(o.name)[i]);\n"
            s += "    printf(\"\\n\");\n    free(out.\(o.name));\n"
        }
        s += "    \(name)_close(m);\n    return 0;\n}\n"
        return s
    }
}
