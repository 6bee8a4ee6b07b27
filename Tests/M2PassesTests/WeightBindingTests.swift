import Testing
import M2IR
import M2Passes
import M2Support
import M2Weights

@Suite struct WeightBindingTests {
    let file = "model.m2"

    /// A graph using three weights and an integer buffer, each at its own source line.
    func graph() throws -> Graph {
        var b = GraphBuilder(name: "tiny")
        let x = try b.input("x", type: .f32([4, 8], batched: true))
        let w = try b.weight("bert.encoder.dense.weight", shape: [8, 8], location: .init(file: file, line: 1, column: 5))
        let bias = try b.weight("bert.encoder.dense.bias", shape: [8], location: .init(file: file, line: 2, column: 5))
        let gamma = try b.weight("bert.encoder.LayerNorm.weight", shape: [8], location: .init(file: file, line: 3, column: 5))
        let y = try b.add(.blockDiagMatmul(outFeatures: 8), [x, w])
        let z = try b.add(.binary(.add), [y, bias])
        let n = try b.add(.layerNorm(eps: 1e-12), [z, gamma, bias])
        b.output("out", n)
        return b.graph
    }

    func store(_ tensors: [(String, [Int], WeightDType)], origin: String = "w.safetensors") -> WeightStore {
        let t = InMemoryTensors(origin: origin)
        for (key, shape, dtype) in tensors {
            t.insert(key, shape: shape, values: Array(repeating: 1, count: shape.reduce(1, *)), dtype: dtype)
        }
        return WeightStore([t])
    }

    let complete: [(String, [Int], WeightDType)] = [
        ("bert.encoder.dense.weight", [8, 8], .f32),
        ("bert.encoder.dense.bias", [8], .f32),
        ("bert.encoder.LayerNorm.weight", [8], .bf16),
    ]

    @Test func allGood() throws {
        let s = store(complete + [("bert.embeddings.position_ids", [1, 4], .i32), ("cls.extra", [2], .f32)])
        let g = try graph()
        #expect(WeightBinding.check(g, against: s).isEmpty)
        #expect(WeightBinding.unusedKeys(g, s) == ["bert.embeddings.position_ids", "cls.extra"])
    }

    @Test func missingKeyWithClosestMatchHint() throws {
        let s = store([complete[0], complete[1], ("bert.encoder.LayerNorm.weigth", [8], .f32)])
        let ds = WeightBinding.check(try graph(), against: s)
        try #require(ds.count == 1)
        #expect(ds[0].severity == .error)
        #expect(ds[0].message == "missing tensor 'bert.encoder.LayerNorm.weight' (the model expects f32[8])")
        #expect(ds[0].location == SourceLocation(file: file, line: 3, column: 5))
        #expect(ds[0].hint == "did you mean 'bert.encoder.LayerNorm.weigth'?")
    }

    @Test func missingKeyThatDiffersByPrefix() throws {
        let prefixed = complete.map { ("model." + $0.0, $0.1, $0.2) }
        let ds = WeightBinding.check(try graph(), against: store(prefixed))
        #expect(ds.count == 3)
        #expect(ds.map(\.message).allSatisfy { $0.hasPrefix("missing tensor 'bert.encoder.") })
        #expect(ds[0].hint == "the weights have 'model.bert.encoder.LayerNorm.weight', with an extra prefix 'model.'")

        let stripped = complete.map { (String($0.0.dropFirst("bert.".count)), $0.1, $0.2) }
        let ds2 = WeightBinding.check(try graph(), against: store(stripped))
        #expect(ds2.first?.hint == "the weights have 'encoder.LayerNorm.weight', with no prefix 'bert.'")
    }

    @Test func nothingCloseGivesNoHint() throws {
        let ds = WeightBinding.check(try graph(), against: store([]))
        #expect(ds.count == 3)
        #expect(ds.allSatisfy { $0.hint == nil })
        // Sorted by key, whatever the op order.
        #expect(ds.map(\.location?.line) == [3, 2, 1])
    }

    @Test func shapeMismatch() throws {
        let s = store([("bert.encoder.dense.weight", [8, 4], .f32), complete[1], complete[2]], origin: "tiny.safetensors")
        let ds = WeightBinding.check(try graph(), against: s)
        try #require(ds.count == 1)
        #expect(ds[0].message == "tensor 'bert.encoder.dense.weight' in tiny.safetensors has shape [8, 4], the model expects [8, 8]")
        #expect(ds[0].location?.line == 1)
    }

    @Test func integerDType() throws {
        let s = store([complete[0], ("bert.encoder.dense.bias", [8], .i64), complete[2]])
        let ds = WeightBinding.check(try graph(), against: s)
        try #require(ds.count == 1)
        #expect(ds[0].message == "tensor 'bert.encoder.dense.bias' in w.safetensors has dtype I64, the model expects a floating-point tensor")
        #expect(ds[0].location?.line == 2)
    }

    @Test func everyProblemIsReportedSortedByKey() throws {
        let s = store([("bert.encoder.dense.weight", [8], .u8), ("bert.encoder.LayerNorm.weight", [9], .f16)])
        let ds = WeightBinding.check(try graph(), against: s)
        #expect(ds.map(\.message) == [
            "tensor 'bert.encoder.LayerNorm.weight' in w.safetensors has shape [9], the model expects [8]",
            "missing tensor 'bert.encoder.dense.bias' (the model expects f32[8])",
            "tensor 'bert.encoder.dense.weight' in w.safetensors has shape [8], the model expects [8, 8]",
            "tensor 'bert.encoder.dense.weight' in w.safetensors has dtype U8, the model expects a floating-point tensor",
        ])
    }

    @Test func goldenCheckpointBindsToItsOwnShapes() throws {
        // Every tensor of the real tiny checkpoint, requested as a weight with its own shape, binds cleanly.
        let path = String(#filePath.dropLast("M2PassesTests/WeightBindingTests.swift".count)) + "Fixtures/golden/tiny.weights.safetensors"
        let file = try SafetensorsFile(path: path)
        var b = GraphBuilder(name: "all")
        for key in file.keys where file.dtype(of: key)?.isFloatingPoint == true {
            _ = try b.weight(key, shape: try #require(file.shape(of: key)))
        }
        let store = WeightStore([file])
        #expect(WeightBinding.check(b.graph, against: store).isEmpty)
        #expect(WeightBinding.unusedKeys(b.graph, store) == ["bert.embeddings.position_ids"])
    }
}
