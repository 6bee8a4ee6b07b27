import Foundation

/// The fields of an M2-BERT checkpoint `config.json` that change the forward pass
/// (semantics §1), read with the original field names and defaults of `configuration_bert.py`.
public struct CheckpointConfig: Equatable, Sendable {
    public var name: String
    public var hidden: Int
    public var intermediate: Int
    public var layers: Int
    /// `vocab_size` as written in the file (released checkpoints write 30522 and pad their tables to 30528).
    public var vocabSize: Int
    public var typeVocab: Int
    public var maxPositions: Int
    public var seqLen: Int
    public var lMax: Int
    public var nblocks: Int
    public var filterOrder: Int
    public var embDim: Int
    public var wMod: Double
    public var bidirectional: Bool
    public var residualLongConv: Bool
    public var glu: Bool
    public var monarchMLP: Bool
    public var positions: Bool
    public var poolAll: Bool
    public var layerNormEps: Double
    public var mlmLayerNormEps: Double
    public var trainingAdditions: Bool
    public var useFlashFFT: Bool
}

/// A problem with a config file, naming the field and what was expected.
public struct ImportError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String
    public var description: String { "\(path): error: \(message)" }
}

extension CheckpointConfig {
    /// Parses a config.json. Missing optional fields take the defaults of the original `BertConfig`;
    /// fields with no default there (`long_conv_l_max`) fall back to the sequence length.
    public static func parse(_ data: Data, path: String) throws(ImportError) -> CheckpointConfig {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ImportError(path: path, message: "not valid JSON: \(error.localizedDescription)")
        }
        guard let dict = object as? [String: Any] else {
            throw ImportError(path: path, message: "expected a JSON object at the top level")
        }
        let r = FieldReader(dict: dict, path: path)

        if let mixing = try r.bool("monarch_mixer_sequence_mixing"), !mixing {
            throw ImportError(path: path, message: "'monarch_mixer_sequence_mixing' is false: this is an attention BERT, not an M2 model; m2c compiles M2 models only")
        }
        if let act = try r.string("hidden_act"), act != "gelu" {
            throw ImportError(path: path, message: "'hidden_act' is \"\(act)\"; only \"gelu\" (exact erf) is supported, as in every released M2-BERT")
        }
        if let flashMM = try r.bool("use_flash_mm"), flashMM {
            throw ImportError(path: path, message: "'use_flash_mm' = true selects a different fused module (flash_mm.py) that m2c does not implement")
        }

        let hidden = try r.int("hidden_size") ?? 768
        let maxPositions = try r.int("max_position_embeddings") ?? 512
        let seqLen = try r.int("seq_len") ?? maxPositions
        let embDim = try r.int("hyena_emb_dim") ?? 5
        guard embDim >= 3, embDim % 2 == 1 else {
            throw ImportError(path: path, message: "'hyena_emb_dim' must be odd and at least 3, got \(embDim)")
        }
        let c = CheckpointConfig(
            name: try r.string("name") ?? URL(fileURLWithPath: path).deletingPathExtension().deletingPathExtension().lastPathComponent,
            hidden: hidden,
            intermediate: try r.int("intermediate_size") ?? 4 * hidden,
            layers: try r.int("num_hidden_layers") ?? 12,
            vocabSize: try r.int("vocab_size") ?? 30522,
            typeVocab: try r.int("type_vocab_size") ?? 2,
            maxPositions: maxPositions,
            seqLen: seqLen,
            lMax: try r.int("long_conv_l_max") ?? seqLen,
            nblocks: try r.int("monarch_mlp_nblocks") ?? 4,
            filterOrder: try r.int("hyena_filter_order") ?? 64,
            embDim: embDim,
            wMod: try r.double("hyena_w_mod") ?? 1,
            bidirectional: try r.bool("bidirectional") ?? true,
            residualLongConv: try r.bool("residual_long_conv") ?? false,
            glu: try r.bool("use_glu_mlp") ?? true,
            monarchMLP: try r.bool("use_monarch_mlp") ?? false,
            positions: try r.bool("use_positional_encodings") ?? false,
            poolAll: try r.bool("pool_all") ?? false,
            layerNormEps: try r.double("layer_norm_eps") ?? 1e-12,
            mlmLayerNormEps: try r.double("mlm_head_layer_norm_eps") ?? 1e-12,
            trainingAdditions: try r.bool("hyena_training_additions") ?? false,
            useFlashFFT: try r.bool("use_flash_fft") ?? false)

        for (field, value) in [("hidden_size", c.hidden), ("intermediate_size", c.intermediate),
                               ("num_hidden_layers", c.layers), ("vocab_size", c.vocabSize),
                               ("monarch_mlp_nblocks", c.nblocks), ("hyena_filter_order", c.filterOrder),
                               ("seq_len", c.seqLen), ("long_conv_l_max", c.lMax)] where value < 1 {
            throw ImportError(path: path, message: "'\(field)' must be at least 1, got \(value)")
        }
        if c.seqLen > c.lMax {
            throw ImportError(path: path, message: "sequence length \(c.seqLen) exceeds 'long_conv_l_max' = \(c.lMax): the implicit filters are only defined for the first l_max positions")
        }
        if c.positions && c.seqLen > c.maxPositions {
            throw ImportError(path: path, message: "sequence length \(c.seqLen) exceeds 'max_position_embeddings' = \(c.maxPositions)")
        }
        return c
    }
}

/// Typed access to JSON fields with errors that name the field and the expected type.
private struct FieldReader {
    let dict: [String: Any]
    let path: String

    func int(_ key: String) throws(ImportError) -> Int? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        if let n = v as? NSNumber, !isBool(n), n.doubleValue == n.doubleValue.rounded(),
           abs(n.doubleValue) < 1e15 { return n.intValue }
        throw ImportError(path: path, message: "field '\(key)' must be an integer, got \(describe(v))")
    }

    func double(_ key: String) throws(ImportError) -> Double? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        if let n = v as? NSNumber, !isBool(n) { return n.doubleValue }
        throw ImportError(path: path, message: "field '\(key)' must be a number, got \(describe(v))")
    }

    func bool(_ key: String) throws(ImportError) -> Bool? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        if let n = v as? NSNumber, isBool(n) { return n.boolValue }
        throw ImportError(path: path, message: "field '\(key)' must be true or false, got \(describe(v))")
    }

    func string(_ key: String) throws(ImportError) -> String? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        if let s = v as? String { return s }
        throw ImportError(path: path, message: "field '\(key)' must be a string, got \(describe(v))")
    }

    private func isBool(_ n: NSNumber) -> Bool {
        // JSONSerialization yields NSNumber for numbers and booleans alike; booleans report objCType "c".
        String(cString: n.objCType) == "c"
    }

    private func describe(_ v: Any) -> String {
        switch v {
        case let s as String: return "the string \"\(s)\""
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "\(v)"
        }
    }
}
