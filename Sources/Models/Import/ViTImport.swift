import Foundation
import Layers
import Tensors

/// Errors reading a Hugging Face ViT directory; each names the file and what is wrong.
public enum ViTImportError: Error, CustomStringConvertible {
    case missingFile(path: String)
    case invalidConfig(path: String, reason: String)
    case invalidWeights(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "\(path): no such file"
        case .invalidConfig(let path, let reason): "\(path): \(reason)"
        case .invalidWeights(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// Reading a Hugging Face `ViTForImageClassification` directory (`config.json`,
/// `model.safetensors`) into a `VisionTransformer`.
///
/// The weights load by a table of names. Three kinds of change only: Hugging Face's separate
/// query, key and value projections are concatenated (in that order) into our packed
/// `in_proj_weight` [3D, D]; the patch convolution's weight [D, C, P, P] is flattened to the
/// projection's [D, C·P·P] (same (c, y, x) order, see `PatchEmbedding`); and the class token
/// [1, 1, D] and positions [1, 1 + N, D] drop their leading batch dimension.
///
/// ```swift
/// let model = try ViTImport.model(from: "vit-tiny")
/// let logits = withoutGradients { model(images) }   // [B, C, H, W] → [B, labels]
/// ```
public enum ViTImport {
    /// One row of the mapping: Hugging Face names (several are concatenated along dimension 0)
    /// and ours. Each is reshaped to our parameter's shape when the element counts agree.
    struct Rule {
        let huggingFace: [String]
        let ours: String
        init(_ huggingFace: String, _ ours: String) { self.init([huggingFace], ours) }
        init(_ huggingFace: [String], _ ours: String) {
            self.huggingFace = huggingFace
            self.ours = ours
        }
    }

    /// Names outside the blocks.
    static let modelRules = [
        Rule("vit.embeddings.cls_token", "class_token"),
        Rule("vit.embeddings.position_embeddings", "position_embeddings"),
        Rule("vit.embeddings.patch_embeddings.projection.weight", "patch_embedding.projection.weight"),
        Rule("vit.embeddings.patch_embeddings.projection.bias", "patch_embedding.projection.bias"),
        Rule("vit.layernorm.weight", "encoder.norm.weight"),
        Rule("vit.layernorm.bias", "encoder.norm.bias"),
        Rule("classifier.weight", "head.weight"),
        Rule("classifier.bias", "head.bias"),
    ]

    /// Names inside block i: `vit.encoder.layer.i.` + left, `encoder.layers.i.` + right.
    static let blockRules = [
        Rule(["attention.attention.query.weight", "attention.attention.key.weight", "attention.attention.value.weight"],
             "self_attn.in_proj_weight"),
        Rule(["attention.attention.query.bias", "attention.attention.key.bias", "attention.attention.value.bias"],
             "self_attn.in_proj_bias"),
        Rule("attention.output.dense.weight", "self_attn.out_proj.weight"),
        Rule("attention.output.dense.bias", "self_attn.out_proj.bias"),
        Rule("layernorm_before.weight", "norm1.weight"),
        Rule("layernorm_before.bias", "norm1.bias"),
        Rule("layernorm_after.weight", "norm2.weight"),
        Rule("layernorm_after.bias", "norm2.bias"),
        Rule("intermediate.dense.weight", "linear1.weight"),
        Rule("intermediate.dense.bias", "linear1.bias"),
        Rule("output.dense.weight", "linear2.weight"),
        Rule("output.dense.bias", "linear2.bias"),
    ]

    /// Every rule with the block index filled in. Without `qkv_bias` the query, key and value
    /// have no biases; ours are then zero.
    static func rules(layers: Int, qkvBias: Bool) -> [Rule] {
        modelRules + (0..<layers).flatMap { i in
            blockRules.filter { qkvBias || $0.ours != "self_attn.in_proj_bias" }.map { rule in
                Rule(rule.huggingFace.map { "vit.encoder.layer.\(i).\($0)" }, "encoder.layers.\(i).\(rule.ours)")
            }
        }
    }

    /// A Hugging Face ViT `config.json`, decoded; failures name the file and the key.
    public static func configuration(contentsOf path: String) throws -> ViTConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ViTImportError.missingFile(path: path) }
        do {
            return try HuggingFaceConfigDecoding.decode(ViTConfiguration.self, from: data)
        } catch {
            throw ViTImportError.invalidConfig(path: path, reason: error.reason)
        }
    }

    /// Our configuration for a Hugging Face ViT `config.json`, and whether q, k, v have biases.
    public static func config(contentsOf path: String) throws -> (config: VisionTransformerConfig, qkvBias: Bool) {
        try config(for: configuration(contentsOf: path), path: path)
    }

    /// Our configuration for a decoded `config.json` read from `path`, or why we cannot build it.
    static func config(for hf: ViTConfiguration, path: String) throws -> (config: VisionTransformerConfig, qkvBias: Bool) {
        func failure(_ reason: String) -> ViTImportError { .invalidConfig(path: path, reason: reason) }
        let activation: Activation
        switch hf.hiddenActivation {
        case "gelu": activation = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": activation = .geluTanh
        case "relu": activation = .relu
        case let other: throw failure("hidden_act \"\(other)\" is not supported (gelu, gelu_new, relu)")
        }
        let dModel = hf.hiddenSize, heads = hf.attentionHeads
        guard dModel % heads == 0 else { throw failure("hidden_size \(dModel) is not a multiple of num_attention_heads \(heads)") }
        let imageSize = hf.imageSize, patch = hf.patchSize
        let fields = fields(path)
        // Sizes first: the configuration's patch count multiplies them, and the labels are made one by one.
        try fields.int("imageWidth", imageSize, in: 1...VisionTransformerConfig.maxImageSide)
        try ConfigFields(file: path).int(hf.id2label.isEmpty ? "num_labels" : "id2label", hf.labelCount, in: 1...VisionTransformerConfig.maxLabels)
        guard imageSize % patch == 0 else { throw failure("image_size \(imageSize) is not a multiple of patch_size \(patch)") }
        // Labels: id2label when present (keys are strings "0", "1", …), else num_labels of "LABEL_i".
        var labels: [String]
        if !hf.id2label.isEmpty {
            labels = [String](repeating: "", count: hf.id2label.count)
            for (key, value) in hf.id2label {
                guard let i = Int(key), labels.indices.contains(i) else { throw failure("id2label has key \"\(key)\", not 0..<\(hf.id2label.count)") }
                labels[i] = value
            }
        } else {
            labels = (0..<hf.labelCount).map { "LABEL_\($0)" }
        }
        let config = VisionTransformerConfig(imageWidth: imageSize, imageHeight: imageSize, channels: hf.channels,
                                             patchSize: patch, dModel: dModel, heads: heads, ffnDim: hf.intermediateSize,
                                             layers: hf.hiddenLayers, labels: labels, dropout: Float(hf.hiddenDropout),
                                             layerNormEps: Float(hf.layerNormEpsilon), activation: activation)
        // The zoo's own checks (sizes in range, …), told in the file's names.
        try config.validate(fields)
        return (config, hf.qkvBias)
    }

    /// The fields of a ViT `config.json` at `path`, by the file's names for ours.
    static func fields(_ path: String) -> ConfigFields {
        ConfigFields(file: path, spelling: [
            "imageWidth": "image_size", "imageHeight": "image_size", "channels": "num_channels", "patchSize": "patch_size",
            "labels": "id2label", "encoder.dModel": "hidden_size", "encoder.heads": "num_attention_heads",
            "encoder.ffnDim": "intermediate_size", "encoder.encoderLayers": "num_hidden_layers",
            "encoder.layerNormEps": "layer_norm_eps", "encoder.dropout": "hidden_dropout_prob",
        ])
    }

    /// Our weights, by our names, from a Hugging Face ViT safetensors file, for `model`'s shapes.
    public static func weights(from file: SafetensorsFile, for model: VisionTransformer, qkvBias: Bool) throws -> [String: Tensor] {
        func failure(_ reason: String) -> ViTImportError { .invalidWeights(path: file.path, reason: reason) }
        guard file.contains("vit.embeddings.cls_token") else { throw failure("no vit.embeddings.cls_token: not a ViTForImageClassification checkpoint") }
        let expected = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor.shape) })
        let layers = model.config.encoder.encoderLayers
        let rules = rules(layers: layers, qkvBias: qkvBias)
        var out: [String: Tensor] = [:]
        for rule in rules {
            guard let want = expected[rule.ours] else { throw failure("internal: no parameter \(rule.ours)") }
            var parts: [Tensor] = []
            for name in rule.huggingFace {
                guard file.contains(name) else { throw failure("missing \(name) (config.json has num_hidden_layers \(layers))") }
                parts.append(try file.tensor(name))
            }
            let total = parts.reduce(0) { $0 + $1.count }
            guard total == want.reduce(1, *) else {
                throw failure("\(rule.huggingFace.joined(separator: " + ")) has shape \(parts.map(\.shape)), expected \(want) from config.json")
            }
            out[rule.ours] = withoutGradients {
                (parts.count == 1 ? parts[0] : Tensor.concat(parts.map { $0.reshaped([$0.shape[0], -1]) }, axis: 0)).reshaped(want).copy()
            }
        }
        if !qkvBias {
            for i in 0..<layers { out["encoder.layers.\(i).self_attn.in_proj_bias"] = Tensor(zeros: [3 * model.config.encoder.dModel]) }
        }
        // A tensor we would silently drop (a pooler, a different head) is refused.
        let known = Set(rules.flatMap(\.huggingFace))
        let unexpected = file.names.filter { !known.contains($0) }.sorted()
        if !unexpected.isEmpty {
            throw failure("unexpected tensors \(unexpected.prefix(5).joined(separator: ", "))" + (unexpected.count > 5 ? ", …" : ""))
        }
        return out
    }

    /// The model of a Hugging Face `ViTForImageClassification` directory, in evaluation mode.
    public static func model(from directory: String) throws -> VisionTransformer {
        let dir = URL(fileURLWithPath: directory)
        let configPath = dir.appendingPathComponent("config.json").path
        let (config, qkvBias) = try config(contentsOf: configPath)
        let path = dir.appendingPathComponent("model.safetensors").path
        guard FileManager.default.fileExists(atPath: path) else { throw ViTImportError.missingFile(path: path) }
        let file = try SafetensorsFile(path: path)
        // Before the model is built: a config.json describing more than the weights hold would
        // allocate what the file never justified.
        try fields(configPath).fits(config.minimumParameterCount, weights: file.valueCount, weightsFile: "model.safetensors")
        // Built without drawing initial values: the file's replace every one (`load` checks).
        let model = Tensor.$valuesWillBeLoaded.withValue(true) { VisionTransformer(config) }
        try model.load(try weights(from: file, for: model, qkvBias: qkvBias))
        model.setTraining(false)
        return model
    }
}

extension ViTImport {
    /// The preprocessing of a Hugging Face `preprocessor_config.json` (size, image_mean,
    /// image_std; do_normalize false means mean 0, std 1); a missing file gives the defaults.
    public static func preprocessing(contentsOf path: String, for config: VisionTransformerConfig) throws -> ImagePreprocessing {
        var width = config.imageWidth, height = config.imageHeight
        var mean: [Float] = [0.5], std: [Float] = [0.5]
        if let data = FileManager.default.contents(atPath: path) {
            let processor: ViTImageProcessorConfiguration
            do {
                processor = try HuggingFaceConfigDecoding.decode(ViTImageProcessorConfiguration.self, from: data)
            } catch {
                throw ViTImportError.invalidConfig(path: path, reason: error.reason)
            }
            func floats(_ values: [Double]?, _ key: String) throws -> [Float]? {
                guard let values else { return nil }
                guard values.count == 1 || values.count == config.channels else {
                    throw ViTImportError.invalidConfig(path: path, reason: "\"\(key)\" must be a list of 1 or \(config.channels) numbers")
                }
                return values.map { Float($0) }
            }
            mean = try floats(processor.imageMean, "image_mean") ?? mean
            std = try floats(processor.imageStd, "image_std") ?? std
            if std.contains(where: { !($0 > 0) }) { throw ViTImportError.invalidConfig(path: path, reason: "\"image_std\" must be positive") }
            if !processor.doNormalize { (mean, std) = ([0], [1]) }
            if let size = processor.size { (width, height) = (size.width, size.height) }
            guard (width, height) == (config.imageWidth, config.imageHeight) else {
                throw ViTImportError.invalidConfig(path: path, reason: "size \(width)×\(height) differs from the model's image_size \(config.imageWidth)")
            }
        }
        return ImagePreprocessing(channels: config.channels, width: width, height: height, mean: mean, std: std)
    }
}
