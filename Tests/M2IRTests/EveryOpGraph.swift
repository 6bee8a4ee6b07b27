import M2IR
import M2Support

/// A well-typed graph that uses every `OpKind` (every unary, binary and reduce function, every
/// long-conv variant, both constant forms), with names, locations and annotations on some ops.
func everyOpGraph() throws -> Graph {
    var b = GraphBuilder(name: "every-op", attributes: ["seq_len": .int(4), "note": .string("a \"quoted\" note")])
    let loc = SourceLocation(file: "model.m2", line: 3, column: 7)
    let ids = try b.input("input_ids", type: .i32([4], batched: true), location: loc)
    let table = try b.weight("emb.weight", shape: [10, 6])
    let x = try b.add(.gather, [table, ids], name: "emb/x")                    // f32[B,4,6]
    let small = try b.constant([1.5, -2, 0.25, 1e-12, 3e20, -0.0], shape: [6])
    let large = try b.constant((0..<24).map { Double($0) / 7 }, shape: [4, 6])  // printed as a digest
    _ = try b.add(.binary(.add), [large, small])

    let dense = try b.weight("dense.weight", shape: [5, 6])
    let product = try b.add(.blockDiagMatmul(outFeatures: 5), [x, dense])
    let blocks = try b.weight("blocks.weight", shape: [2, 4, 3])
    _ = try b.add(.blockDiagMatmul(outFeatures: 7), [x, blocks])

    for f in UnaryFn.allCases { _ = try b.add(.unary(f), [x]) }
    _ = try b.add(.scale(0.125), [x])
    _ = try b.add(.shift(-1), [x])
    for f in BinaryFn.allCases { _ = try b.add(.binary(f), [x, small]) }

    let gamma = try b.weight("ln.gamma", shape: [6])
    let beta = try b.weight("ln.beta", shape: [6])
    let normed = try b.add(.layerNorm(eps: 1e-12), [x, gamma, beta], location: loc, name: "ln")
    for f in ReduceFn.allCases { _ = try b.add(.reduce(f, axis: 1), [normed]) }

    _ = try b.add(.glu(.gelu), [x])
    _ = try b.add(.addLayerNorm(eps: 1e-5), [x, normed, gamma, beta])
    let bias = try b.weight("dense.bias", shape: [5])
    _ = try b.add(.fusedMatmul(outFeatures: 5, epilogue: [.bias, .unary(.gelu), .residual]), [x, dense, bias, product])
    _ = try b.add(.fusedMatmul(outFeatures: 5, epilogue: [.unary(.tanh)]), [x, dense])
    let gluBias = try b.weight("glu.bias", shape: [8])
    _ = try b.add(.fusedMatmul(outFeatures: 8, epilogue: [.bias, .glu(.sigmoid)]), [x, blocks, gluBias])  // f32[B,4,4]

    let channels = try b.add(.transpose(perm: [1, 0]), [x])                      // f32[B,6,4]
    let convW = try b.weight("conv.weight", shape: [6, 3])
    let convBias = try b.weight("conv.bias", shape: [6])
    _ = try b.add(.shortConv(taps: 3), [channels, convW])
    _ = try b.add(.shortConv(taps: 3), [channels, convW, convBias])
    let kFwd = try b.weight("k.fwd", shape: [6, 4])
    let kRev = try b.weight("k.rev", shape: [6, 4])
    let d = try b.weight("k.d", shape: [6])
    _ = try b.add(.longConv(bidirectional: false, hasSkip: false), [channels, kFwd])
    _ = try b.add(.longConv(bidirectional: false, hasSkip: true), [channels, kFwd, d])
    _ = try b.add(.longConv(bidirectional: true, hasSkip: false), [channels, kFwd, kRev])
    let y = try b.add(.longConv(bidirectional: true, hasSkip: true), [channels, kFwd, kRev, d])
    let spectrum = try b.weight("k.spectrum", shape: [2, 6, 8])
    _ = try b.add(.monarchConv(factors: [4, 2], preGate: false, postGate: false, residual: false), [channels, spectrum])
    _ = try b.add(.monarchConv(factors: [2, 2, 2], preGate: true, postGate: true, residual: true), [channels, y, y, y, spectrum])

    let flat = try b.add(.reshape, [y], reshapeTo: [24])
    let head = try b.add(.slice(axis: 0, start: 2, end: 10), [flat])
    let joined = try b.add(.concat(axis: 0), [head, flat])
    let asInt = try b.add(.cast(.i32), [joined])
    b.output("last_hidden_state", normed)
    b.output("tokens", asInt)
    b.output("layer.0:out", y, isProbe: true)

    var graph = b.graph
    graph.ops[graph.ops.count - 1].annotations = ["tile": .ints([8, 4]), "fusion.group": .int(3), "precision": .string("f32")]
    return graph
}

/// Data of every constant in `graph`, keyed by digest, as `IRParser.parse(_:constants:)` wants it.
func constantTable(_ graph: Graph) -> [UInt64: ConstantData] {
    var table: [UInt64: ConstantData] = [:]
    for op in graph.ops { if case .constant(let data) = op.kind { table[data.digest] = data } }
    return table
}
