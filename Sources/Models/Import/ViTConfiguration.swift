import Foundation

/// A Hugging Face ViT `config.json` (transformers' `ViTConfig`), by Swift names, with
/// `CodingKeys` giving the file's.
///
/// What the file leaves out, or sets to null, takes the default below. Decoding checks the file's
/// form only: every size a positive integer, `model_type` "vit" when there is one. Which ViTs we
/// can build, and the labels' order, is `ViTImport.config(contentsOf:)`'s business.
///
/// ```swift
/// let c = try JSONDecoder().decode(ViTConfiguration.self, from: Data(contentsOf: url))
/// c.patchSize   // patch_size
/// ```
public struct ViTConfiguration: Codable, Equatable, Sendable {
    /// `model_type`: "vit" (a file naming another is refused).
    public var modelType: String
    /// `hidden_size`: the model width.
    public var hiddenSize: Int
    /// `num_hidden_layers`: encoder blocks.
    public var hiddenLayers: Int
    /// `num_attention_heads`: attention heads per block.
    public var attentionHeads: Int
    /// `intermediate_size`: the feed-forward width; 4 × `hidden_size` unless given.
    public var intermediateSize: Int
    /// `image_size`: the side of the square input; 224 unless given.
    public var imageSize: Int
    /// `patch_size`: the side of a square patch; 16 unless given.
    public var patchSize: Int
    /// `num_channels`: 3 unless given.
    public var channels: Int
    /// `hidden_act`: the feed-forward activation; "gelu" unless given.
    public var hiddenActivation: String
    /// `layer_norm_eps`: 1e-12 unless given.
    public var layerNormEpsilon: Double
    /// `hidden_dropout_prob`: 0 unless given.
    public var hiddenDropout: Double
    /// `qkv_bias`: whether query, key and value have biases; true unless given.
    public var qkvBias: Bool
    /// `id2label`: each class's name by its index written as a string ("0", "1", …); empty unless given.
    public var id2label: [String: String]
    /// `num_labels`: the number of classes, `id2label`'s when it has any, else 2 unless given.
    public var labelCount: Int

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case hiddenSize = "hidden_size"
        case hiddenLayers = "num_hidden_layers"
        case attentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case imageSize = "image_size"
        case patchSize = "patch_size"
        case channels = "num_channels"
        case hiddenActivation = "hidden_act"
        case layerNormEpsilon = "layer_norm_eps"
        case hiddenDropout = "hidden_dropout_prob"
        case qkvBias = "qkv_bias"
        case id2label
        case labelCount = "num_labels"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // First, so another model's file is named as such rather than by the first ViT key it lacks.
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? "vit"
        guard modelType == "vit" else {
            throw DecodingError.typeMismatch(Self.self, .init(codingPath: c.codingPath + [CodingKeys.modelType],
                                                              debugDescription: "model_type is \"\(modelType)\", not \"vit\""))
        }
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
        hiddenSize = try c.decodePositiveInteger(forKey: .hiddenSize)
        attentionHeads = try c.decodePositiveInteger(forKey: .attentionHeads)
        imageSize = try c.decodePositiveIntegerIfPresent(forKey: .imageSize) ?? 224
        patchSize = try c.decodePositiveIntegerIfPresent(forKey: .patchSize) ?? 16
        id2label = try c.decodeIfPresent([String: String].self, forKey: .id2label) ?? [:]
        // num_labels is id2label's count when there are labels (transformers writes only id2label).
        labelCount = id2label.isEmpty ? try c.decodePositiveIntegerIfPresent(forKey: .labelCount) ?? 2 : id2label.count
        layerNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-12
        qkvBias = try c.decodeIfPresent(Bool.self, forKey: .qkvBias) ?? true
        channels = try c.decodePositiveIntegerIfPresent(forKey: .channels) ?? 3
        // Saturated: a huge hidden_size is refused by name later, not trapped on here.
        intermediateSize = try c.decodePositiveIntegerIfPresent(forKey: .intermediateSize) ?? 4 * min(hiddenSize, Int.max / 4)
        hiddenLayers = try c.decodePositiveInteger(forKey: .hiddenLayers)
        hiddenDropout = try c.decodeIfPresent(Double.self, forKey: .hiddenDropout) ?? 0
    }
}
