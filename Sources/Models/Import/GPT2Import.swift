import Foundation
import Layers
import Tensors
import Tokenization

/// Reading a Hugging Face GPT-2 checkpoint directory (`config.json`, `model.safetensors`,
/// `vocab.json`, `merges.txt`) into a `GPT` and its tokenizer.
///
/// GPT-2 is our GPT configuration exactly: pre-norm blocks, a final layer norm (`ln_f`), learned
/// positions, GELU's tanh form (`gelu_new`) and an output projection tied to `wte`. The weights
/// load by a table of names; the only change is that GPT-2's `Conv1D` stores its weight
/// [in, out], the transpose of `nn.Linear`, so those four weights are transposed.
///
/// ```swift
/// let (model, tokenizer) = try GPT2Import.load(from: "gpt2")
/// let ids = tokenizer.encode("Hello, I'm a language model,")
/// let logits = withoutGradients { model(ids, shape: [1, ids.count]) }   // [1, T, 50257]
/// ```
public enum GPT2Import {
    /// One row of the mapping: a Hugging Face name (after the optional `transformer.`) and ours.
    struct Rule {
        let huggingFace: String
        let ours: String
        /// A `Conv1D` weight, [in, out] in the file and [out, in] here.
        let transposed: Bool
        init(_ huggingFace: String, _ ours: String, transposed: Bool = false) {
            self.huggingFace = huggingFace
            self.ours = ours
            self.transposed = transposed
        }
    }

    /// Names outside the blocks.
    static let modelRules = [
        Rule("wte.weight", "embedding.weight"),
        Rule("wpe.weight", "positions.weight"),
        Rule("ln_f.weight", "decoder.norm.weight"),
        Rule("ln_f.bias", "decoder.norm.bias"),
    ]

    /// Names inside block i: `h.i.` + left, `decoder.layers.i.` + right.
    static let blockRules = [
        Rule("ln_1.weight", "norm1.weight"),
        Rule("ln_1.bias", "norm1.bias"),
        Rule("attn.c_attn.weight", "self_attn.in_proj_weight", transposed: true),
        Rule("attn.c_attn.bias", "self_attn.in_proj_bias"),
        Rule("attn.c_proj.weight", "self_attn.out_proj.weight", transposed: true),
        Rule("attn.c_proj.bias", "self_attn.out_proj.bias"),
        Rule("ln_2.weight", "norm2.weight"),
        Rule("ln_2.bias", "norm2.bias"),
        Rule("mlp.c_fc.weight", "linear1.weight", transposed: true),
        Rule("mlp.c_fc.bias", "linear1.bias"),
        Rule("mlp.c_proj.weight", "linear2.weight", transposed: true),
        Rule("mlp.c_proj.bias", "linear2.bias"),
    ]

    /// Buffers, not weights: the causal mask (`attn.bias`, `attn.masked_bias` in older files),
    /// which our attention builds itself. `lm_head.weight` is `wte` again (tied).
    static let ignoredBlockSuffixes = ["attn.bias", "attn.masked_bias"]

    /// Every rule with the block index filled in.
    static func rules(layers: Int) -> [Rule] {
        modelRules + (0..<layers).flatMap { i in
            blockRules.map { Rule("h.\(i).\($0.huggingFace)", "decoder.layers.\(i).\($0.ours)", transposed: $0.transposed) }
        }
    }

    /// A Hugging Face GPT-2 `config.json`, decoded; failures name the file and the key.
    public static func configuration(contentsOf path: String) throws -> GPT2Configuration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw GPT2ImportError.missingFile(path: path)
        }
        do {
            return try HuggingFaceConfigDecoding.decode(GPT2Configuration.self, from: data)
        } catch {
            throw GPT2ImportError.invalidConfig(path: path, reason: error.reason)
        }
    }

    /// Our configuration for a Hugging Face GPT-2 `config.json`. Dropout is `resid_pdrop`.
    public static func config(contentsOf path: String) throws -> TransformerConfig {
        try config(for: configuration(contentsOf: path), path: path)
    }

    /// Our configuration for a decoded `config.json` read from `path`, or why we cannot build it.
    static func config(for hf: GPT2Configuration, path: String) throws -> TransformerConfig {
        func failure(_ reason: String) -> GPT2ImportError { .invalidConfig(path: path, reason: reason) }
        if hf.scaleAttentionByInverseLayerIndex { throw failure("scale_attn_by_inverse_layer_idx is not supported") }
        if !hf.scaleAttentionWeights { throw failure("scale_attn_weights false is not supported") }
        if hf.addCrossAttention { throw failure("add_cross_attention is not supported") }
        if !hf.tieWordEmbeddings { throw failure("an output projection not tied to wte is not supported") }

        let dModel = hf.hiddenSize, heads = hf.attentionHeads
        guard dModel % heads == 0 else { throw failure("n_embd \(dModel) is not a multiple of n_head \(heads)") }
        let activation: Activation
        switch hf.activationFunction {
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": activation = .geluTanh
        case "gelu": activation = .gelu
        case "relu": activation = .relu
        case let other: throw failure("activation_function \"\(other)\" is not supported (gelu_new, gelu, relu)")
        }
        var config = GPT.gptConfig(vocabSize: hf.vocabularySize, context: hf.maxPositions, dModel: dModel, heads: heads,
                                   layers: hf.hiddenLayers, ffnDim: hf.intermediateSize,
                                   dropout: Float(hf.residualDropout), activation: activation)
        config.layerNormEps = Float(hf.layerNormEpsilon)
        // The zoo's own checks (sizes in range, …), told in the file's names.
        do {
            try config.validate(fields(path), as: .decoderOnly)
        } catch let error as ConfigError {
            throw failure("field '\(error.field)': \(error.message)")
        }
        return config
    }

    /// The fields of a GPT-2 `config.json` at `path`, by the file's names for ours.
    static func fields(_ path: String) -> ConfigFields {
        ConfigFields(file: path, spelling: ["dModel": "n_embd", "heads": "n_head", "ffnDim": "n_inner", "decoderLayers": "n_layer",
                                            "vocabSize": "vocab_size", "maxLength": "n_positions", "dropout": "resid_pdrop",
                                            "layerNormEps": "layer_norm_epsilon"])
    }

    /// Our weights, by our names, from a Hugging Face GPT-2 safetensors file.
    public static func weights(from file: SafetensorsFile, config: TransformerConfig) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, rule) in try checkedRules(file, config: config) { out[rule.ours] = try weight(name, rule, from: file) }
        return out
    }

    /// The rules with the file's name for each, after every name and shape in the file has been
    /// checked against `config` (no tensor is read).
    static func checkedRules(_ file: SafetensorsFile, config: TransformerConfig) throws -> [(name: String, rule: Rule)] {
        let prefix: String
        if file.contains("transformer.wte.weight") {
            prefix = "transformer."
        } else if file.contains("wte.weight") {
            prefix = ""
        } else {
            throw GPT2ImportError.invalidWeights(path: file.path, reason: "no wte.weight (or transformer.wte.weight): not a GPT-2 checkpoint")
        }
        let rules = rules(layers: config.decoderLayers)
        let expected = GPT.parameterShapes(config)
        for rule in rules {
            let name = prefix + rule.huggingFace
            guard file.contains(name) else {
                throw GPT2ImportError.invalidWeights(path: file.path, reason: "missing \(name) (config.json has n_layer \(config.decoderLayers))")
            }
            let shape = try file.info(name).shape
            let want = expected[rule.ours] ?? []
            let wantInFile = rule.transposed ? want.reversed() : want
            guard shape == wantInFile else {
                throw GPT2ImportError.invalidWeights(path: file.path, reason: "\(name) has shape \(shape), expected \(wantInFile) from config.json")
            }
        }
        // Anything else of the transformer is a weight we would silently drop: refuse it. Names
        // outside `transformer.` belong to heads (lm_head is wte again).
        let known = Set(rules.map { prefix + $0.huggingFace })
        let unexpected = file.names.filter { name in
            guard name.hasPrefix(prefix), !known.contains(name) else { return false }
            if prefix.isEmpty && name.hasPrefix("lm_head.") { return false }
            return !ignoredBlockSuffixes.contains { name.hasSuffix("." + $0) }
        }
        if !unexpected.isEmpty {
            throw GPT2ImportError.invalidWeights(path: file.path, reason: "unexpected tensors \(unexpected.prefix(5).joined(separator: ", "))"
                                                 + (unexpected.count > 5 ? ", …" : "") + " (config.json has n_layer \(config.decoderLayers))")
        }
        return rules.map { (prefix + $0.huggingFace, $0) }
    }

    /// The tensor `name` of the file, as our weight of `rule`.
    static func weight(_ name: String, _ rule: Rule, from file: SafetensorsFile) throws -> Tensor {
        let t = try file.tensor(name)
        return rule.transposed ? withoutGradients { t.transposed() } : t
    }

    /// The model of a Hugging Face GPT-2 directory (config.json, model.safetensors), in
    /// evaluation mode.
    public static func model(from directory: String) throws -> GPT {
        let dir = URL(fileURLWithPath: directory)
        let config = try config(contentsOf: dir.appendingPathComponent("config.json").path)
        let path = dir.appendingPathComponent("model.safetensors").path
        guard FileManager.default.fileExists(atPath: path) else {
            let sharded = FileManager.default.fileExists(atPath: path + ".index.json")
            let torch = FileManager.default.fileExists(atPath: dir.appendingPathComponent("pytorch_model.bin").path)
            throw GPT2ImportError.missingFile(path: path, hint: sharded ? "sharded checkpoints are not supported"
                                              : torch ? "only pytorch_model.bin is there; save the model with safe_serialization=True" : nil)
        }
        let file = try SafetensorsFile(path: path)
        // The file's names and shapes are checked against config.json before the model is built,
        // so a config.json describing more than the file holds allocates nothing. The model draws
        // no initial values, and each weight goes into it as it is read: no second copy.
        let rules = try checkedRules(file, config: config)
        let model = Tensor.$valuesWillBeLoaded.withValue(true) { GPT(config) }
        let parameters = Dictionary(uniqueKeysWithValues: model.namedTensors.map { ($0.name, $0.tensor) })
        let missing = Set(parameters.keys).subtracting(rules.map(\.rule.ours)).sorted()
        if !missing.isEmpty { throw StateDictError.missing(missing) }
        for (name, rule) in rules {
            guard let p = parameters[rule.ours] else { throw StateDictError.unexpected([rule.ours]) }
            p.assign(try weight(name, rule, from: file))
        }
        model.setTraining(false)
        return model
    }

    /// The model and tokenizer of a Hugging Face GPT-2 directory.
    public static func load(from directory: String) throws -> (model: GPT, tokenizer: ByteLevelBPETokenizer) {
        let model = try model(from: directory)
        let tokenizer = try ByteLevelBPETokenizer(directory: directory)
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw GPT2ImportError.vocabularyMismatch(directory: directory, tokenizer: tokenizer.vocabularySize, model: model.config.vocabSize)
        }
        return (model, tokenizer)
    }
}

/// A failed GPT-2 import; each message names the file and the problem.
public enum GPT2ImportError: Error, CustomStringConvertible {
    case missingFile(path: String, hint: String? = nil)
    case invalidConfig(path: String, reason: String)
    case invalidWeights(path: String, reason: String)
    case vocabularyMismatch(directory: String, tokenizer: Int, model: Int)

    public var description: String {
        switch self {
        case .missingFile(let path, let hint): "\(path): no such file" + (hint.map { " (\($0))" } ?? "")
        case .invalidConfig(let path, let reason): "\(path): invalid GPT-2 config: \(reason)"
        case .invalidWeights(let path, let reason): "\(path): invalid GPT-2 weights: \(reason)"
        case .vocabularyMismatch(let dir, let t, let m):
            "\(dir): vocab.json has \(t) tokens but config.json's vocab_size is \(m)"
        }
    }
}

extension GPT {
    /// The shape of each parameter of a model with configuration `c`, without building it.
    static func parameterShapes(_ c: TransformerConfig) -> [String: [Int]] {
        let d = c.dModel, f = c.ffnDim
        var shapes = ["embedding.weight": [c.vocabSize, d], "positions.weight": [c.maxLength, d],
                      "decoder.norm.weight": [d], "decoder.norm.bias": [d]]
        for i in 0..<c.decoderLayers {
            let p = "decoder.layers.\(i)."
            for (name, shape) in [("norm1.weight", [d]), ("norm1.bias", [d]), ("norm2.weight", [d]), ("norm2.bias", [d]),
                                  ("self_attn.in_proj_weight", [3 * d, d]), ("self_attn.in_proj_bias", [3 * d]),
                                  ("self_attn.out_proj.weight", [d, d]), ("self_attn.out_proj.bias", [d]),
                                  ("linear1.weight", [f, d]), ("linear1.bias", [f]), ("linear2.weight", [d, f]), ("linear2.bias", [d])] {
                shapes[p + name] = shape
            }
        }
        return shapes
    }
}
