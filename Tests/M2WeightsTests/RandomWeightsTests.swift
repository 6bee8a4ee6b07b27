import Foundation
import Testing
import M2Weights

@Suite struct RandomWeightsTests {
    let specs: [(key: String, shape: [Int])] = [
        ("bert.encoder.layer.0.attention.in_linear.weight", [192, 64]),
        ("bert.encoder.layer.0.attention.in_linear.bias", [192]),
        ("bert.encoder.layer.0.mlp.gated_layers.weight", [4, 128, 16]),
        ("bert.embeddings.LayerNorm.weight", [64]),
        ("bert.embeddings.LayerNorm.bias", [64]),
        ("bert.encoder.layer.0.mlp.layernorm.weight", [64]),
        ("bert.encoder.layer.0.attention.filter_fn.pos_emb.t", [1, 64, 1]),
        ("bert.encoder.layer.0.attention.filter_fn.pos_emb.z", [1, 64, 5]),
        ("bert.encoder.layer.0.attention.filter_fn.modulation.deltas", [1, 1, 64]),
        ("bert.encoder.layer.0.attention.filter_fn.implicit_filter.1.freq", [1, 16]),
        ("bert.embeddings.position_ids", [1, 64]),
    ]

    func bytes(_ t: InMemoryTensors) throws -> Data {
        let path = try TestFiles.temporaryPath()
        try SafetensorsWriter.write(path: path, source: t)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = RandomWeights.make(specs: specs, seed: 42)
        let b = RandomWeights.make(specs: specs, seed: 42)
        let c = RandomWeights.make(specs: specs, seed: 43)
        #expect(try bytes(a) == bytes(b))
        #expect(try bytes(a) != bytes(c))
        #expect(a.origin == "random(seed 42)")
        #expect(a.keys == specs.map(\.key))
    }

    @Test func valuesDoNotDependOnOtherKeys() throws {
        let key = specs[0].key
        let alone = RandomWeights.make(specs: [specs[0]], seed: 9)
        let all = RandomWeights.make(specs: specs.reversed(), seed: 9)
        #expect(try alone.floats(key) == all.floats(key))
    }

    @Test func firstDrawsArePinned() throws {
        // Pins the generator so that a change to it (which would change every benchmark's weights) is noticed.
        // Expected values: xoshiro256** seeded with splitmix64(0), from an independent Python transcription
        // of the authors' reference C code.
        var rng = Xoshiro256StarStar(seed: 0)
        #expect(rng.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(rng.next() == 0xBF6E_1F78_4956_452A)
        #expect(rng.next() == 0x1A5F_849D_4933_E6E0)
    }

    @Test func rangesFollowTheScheme() throws {
        let t = RandomWeights.make(specs: specs, seed: 1)
        let w = try t.floats("bert.encoder.layer.0.attention.in_linear.weight")
        #expect(w.allSatisfy { abs($0) <= 0.125 })            // 1/sqrt(64)
        #expect(w.contains { abs($0) > 0.1 })                  // spread over the range, not tiny
        let block = try t.floats("bert.encoder.layer.0.mlp.gated_layers.weight")
        #expect(block.allSatisfy { abs($0) <= 0.25 })         // fan_in = last dim 16
        #expect(block.contains { abs($0) > 0.2 })
        #expect(try t.floats("bert.encoder.layer.0.attention.in_linear.bias").allSatisfy { abs($0) <= 0.02 })
        for key in ["bert.embeddings.LayerNorm.weight", "bert.encoder.layer.0.mlp.layernorm.weight"] {
            let g = try t.floats(key)
            #expect(g.allSatisfy { abs($0 - 1) <= 0.02 })
            #expect(Set(g).count > 1)
        }
        #expect(try t.floats("bert.embeddings.LayerNorm.bias").allSatisfy { abs($0) <= 0.02 })
        #expect(try t.floats("bert.encoder.layer.0.attention.filter_fn.implicit_filter.1.freq") == Array(repeating: 10, count: 16))
        #expect(t.dtype(of: "bert.embeddings.position_ids") == .i32)
        #expect(try t.floats("bert.embeddings.position_ids") == (0..<64).map(Float.init))
    }

    @Test func formulaBuffersMatchTheGoldenCheckpoint() throws {
        // pos_emb.t and modulation.deltas are buffers: the checkpoint holds exactly the formula.
        let golden = try SafetensorsFile(path: TestFiles.golden("tiny.weights.safetensors"))
        let t = RandomWeights.make(specs: specs, seed: 1)
        for key in ["bert.encoder.layer.0.attention.filter_fn.pos_emb.t", "bert.encoder.layer.0.attention.filter_fn.modulation.deltas"] {
            let ours = try t.floats(key), theirs = try golden.floats(key)
            #expect(ours.count == theirs.count)
            #expect(zip(ours, theirs).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "\(key)")
        }
    }

    @Test func positionalFeatures() throws {
        let z = try RandomWeights.make(specs: specs, seed: 1).floats("bert.encoder.layer.0.attention.filter_fn.pos_emb.z")
        #expect(z.count == 64 * 5)
        // Row k = (t, cos(1e-4 w), cos(w), -sin(1e-4 w), -sin(w)), w = 2πk/64, t = k/63.
        for k in [0, 1, 16, 63] {
            let w = 2 * Double.pi * Double(k) / 64
            let expected = [Double(k) / 63, cos(1e-4 * w), cos(w), -sin(1e-4 * w), -sin(w)]
            for j in 0..<5 { #expect(abs(Double(z[k * 5 + j]) - expected[j]) < 1e-6, "z[\(k), \(j)]") }
        }
    }
}
