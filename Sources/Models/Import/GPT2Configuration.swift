import Foundation

/// A Hugging Face GPT-2 `config.json` (transformers' `GPT2Config`), by Swift names, with
/// `CodingKeys` giving the file's.
///
/// What the file leaves out, or sets to null, takes `GPT2Config`'s default. Decoding checks the
/// file's form only: every size a positive integer, `model_type` "gpt2" when there is one.
/// Which GPT-2s we can build is `GPT2Import.config(contentsOf:)`'s business.
///
/// ```swift
/// let c = try JSONDecoder().decode(GPT2Configuration.self, from: Data(contentsOf: url))
/// c.hiddenSize   // n_embd
/// ```
public struct GPT2Configuration: Codable, Equatable, Sendable {
    /// `model_type`: "gpt2" (a file naming another is refused).
    public var modelType: String
    /// `vocab_size`: rows of the token embedding `wte`.
    public var vocabularySize: Int
    /// `n_positions` (`n_ctx` in old files): rows of the position embedding `wpe`, the longest context.
    public var maxPositions: Int
    /// `n_embd`: the model width.
    public var hiddenSize: Int
    /// `n_layer`: transformer blocks.
    public var hiddenLayers: Int
    /// `n_head`: attention heads per block.
    public var attentionHeads: Int
    /// `n_inner`: the feed-forward width; 4 × `n_embd` when null.
    public var intermediateSize: Int
    /// `activation_function`: "gelu_new" unless given.
    public var activationFunction: String
    /// `resid_pdrop`: dropout after attention and feed-forward; 0.1 unless given.
    public var residualDropout: Double
    /// `layer_norm_epsilon`: 1e-5 unless given.
    public var layerNormEpsilon: Double
    /// `scale_attn_weights`: scores divided by √(head width); true unless given.
    public var scaleAttentionWeights: Bool
    /// `scale_attn_by_inverse_layer_idx`: scores also divided by the block's index + 1; false unless given.
    public var scaleAttentionByInverseLayerIndex: Bool
    /// `add_cross_attention`: blocks attend to an encoder too; false unless given.
    public var addCrossAttention: Bool
    /// `tie_word_embeddings`: the output projection is `wte`; true unless given.
    public var tieWordEmbeddings: Bool

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case vocabularySize = "vocab_size"
        case maxPositions = "n_positions"
        case hiddenSize = "n_embd"
        case hiddenLayers = "n_layer"
        case attentionHeads = "n_head"
        case intermediateSize = "n_inner"
        case activationFunction = "activation_function"
        case residualDropout = "resid_pdrop"
        case layerNormEpsilon = "layer_norm_epsilon"
        case scaleAttentionWeights = "scale_attn_weights"
        case scaleAttentionByInverseLayerIndex = "scale_attn_by_inverse_layer_idx"
        case addCrossAttention = "add_cross_attention"
        case tieWordEmbeddings = "tie_word_embeddings"
    }

    /// Keys read but not written back.
    enum LegacyKeys: String, CodingKey {
        /// The context length before `n_positions`; read when `n_positions` is absent.
        case contextLength = "n_ctx"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // First, so another model's file is named as such rather than by the first GPT-2 key it lacks.
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? "gpt2"
        guard modelType == "gpt2" else {
            throw DecodingError.typeMismatch(Self.self, .init(codingPath: c.codingPath + [CodingKeys.modelType],
                                                              debugDescription: "model_type is \"\(modelType)\", not \"gpt2\""))
        }
        scaleAttentionByInverseLayerIndex = try c.decodeIfPresent(Bool.self, forKey: .scaleAttentionByInverseLayerIndex) ?? false
        scaleAttentionWeights = try c.decodeIfPresent(Bool.self, forKey: .scaleAttentionWeights) ?? true
        addCrossAttention = try c.decodeIfPresent(Bool.self, forKey: .addCrossAttention) ?? false
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? true
        hiddenSize = try c.decodePositiveInteger(forKey: .hiddenSize)
        attentionHeads = try c.decodePositiveInteger(forKey: .attentionHeads)
        activationFunction = try c.decodeIfPresent(String.self, forKey: .activationFunction) ?? "gelu_new"
        maxPositions = c.contains(.maxPositions)
            ? try c.decodePositiveInteger(forKey: .maxPositions)
            : try decoder.container(keyedBy: LegacyKeys.self).decodePositiveInteger(forKey: .contextLength)
        vocabularySize = try c.decodePositiveInteger(forKey: .vocabularySize)
        hiddenLayers = try c.decodePositiveInteger(forKey: .hiddenLayers)
        // Saturated: a huge n_embd is refused by name later, not trapped on here.
        intermediateSize = try c.decodePositiveIntegerIfPresent(forKey: .intermediateSize) ?? 4 * min(hiddenSize, Int.max / 4)
        residualDropout = try c.decodeIfPresent(Double.self, forKey: .residualDropout) ?? 0.1
        layerNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-5
    }
}
