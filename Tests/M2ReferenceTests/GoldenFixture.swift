import Foundation
import M2Reference
import M2Weights
import Testing

/// One golden fixture (see Tests/Fixtures/golden and /work/shared/golden/README.md): the model config,
/// its weights (with the separate pooler file merged in) and the reference inputs/outputs.
struct GoldenFixture {
    let name: String
    let config: Config
    let weightsFile: TestSafetensors
    let io: TestSafetensors
    let store: WeightStore

    /// The config fields the graphs depend on, with their original names.
    struct Config {
        var hidden: Int, intermediate: Int, layers: Int, vocab: Int, seqLen: Int
        var nblocks: Int, filterOrder: Int, embDim: Int, batch: Int
        var bidirectional: Bool, residualLongConv: Bool, gluMLP: Bool, positions: Bool
        var layerNormEps: Double, sinScale: Double
    }

    /// The tolerance for the Float64 reference: max|out − ref| ≤ 2e-5 · std(ref).
    static let tolerance = 2e-5

    static let repositoryDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().path + "/Fixtures/golden"

    init(_ name: String, directory: String = GoldenFixture.repositoryDirectory) throws {
        self.name = name
        let base = "\(directory)/\(name)"
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".config.json")))
        guard let c = json as? [String: Any] else { throw TestSafetensorsError(description: "\(base).config.json: not an object") }
        func int(_ k: String) throws -> Int {
            guard let v = c[k] as? Int else { throw TestSafetensorsError(description: "\(name) config: no integer '\(k)'") }
            return v
        }
        func bool(_ k: String) throws -> Bool {
            guard let v = c[k] as? Bool else { throw TestSafetensorsError(description: "\(name) config: no boolean '\(k)'") }
            return v
        }
        func double(_ k: String) throws -> Double {
            guard let v = c[k] as? NSNumber else { throw TestSafetensorsError(description: "\(name) config: no number '\(k)'") }
            return v.doubleValue
        }
        config = Config(hidden: try int("hidden_size"), intermediate: try int("intermediate_size"),
                        layers: try int("num_hidden_layers"), vocab: try int("vocab_size"), seqLen: try int("seq_len"),
                        nblocks: try int("monarch_mlp_nblocks"), filterOrder: try int("hyena_filter_order"),
                        embDim: try int("hyena_emb_dim"), batch: try int("batch_size"),
                        bidirectional: try bool("bidirectional"), residualLongConv: try bool("residual_long_conv"),
                        gluMLP: try bool("use_glu_mlp"), positions: try bool("use_positional_encodings"),
                        layerNormEps: try double("layer_norm_eps"), sinScale: try double("hyena_w_mod"))
        weightsFile = try TestSafetensors(path: base + ".weights.safetensors")
        io = try TestSafetensors(path: base + ".io.safetensors")
        store = WeightStore([weightsFile, try TestSafetensors(path: base + ".pooler.safetensors")])
    }

    /// Compares `out` with the golden tensor `key`, prints the metrics and expects the reference tolerance.
    @discardableResult
    func expectMatches(_ out: Tensor64?, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ErrorMetrics {
        let ref = try io.tensor(key)
        let got = try #require(out, "no output for \(key)", sourceLocation: sourceLocation)
        #expect(got.values.count == ref.values.count, "\(name) \(key): \(got.shape) vs golden \(ref.shape)",
                sourceLocation: sourceLocation)
        let m = ErrorMetrics.compare(got.values, ref.values)
        print("[golden \(name)] \(key): maxAbs \(m.maxAbs)  relL2 \(m.relL2)  maxAbs/std \(m.maxAbsOverStd)")
        #expect(m.passes(tolerance: Self.tolerance), "\(name) \(key): \(m)", sourceLocation: sourceLocation)
        return m
    }
}
