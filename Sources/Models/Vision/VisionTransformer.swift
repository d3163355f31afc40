import Foundation
import Layers
import Tensors

/// Every hyper-parameter of a Vision Transformer: the image it reads, its patches, the shared
/// encoder's shape and the classes it tells apart.
public struct VisionTransformerConfig: Codable, Sendable, Equatable {
    public var imageWidth: Int
    public var imageHeight: Int
    public var channels: Int
    public var patchSize: Int
    /// The shared pre-norm encoder (`normFirst`, `finalNorm`, exact GELU as Hugging Face's ViT).
    public var encoder: TransformerConfig
    /// One name per class, in logit order.
    public var labels: [String]
    /// An optional convolutional stem run before the patch embedding, which then cuts the stem's
    /// feature map (not the image) into patches. Nil (and absent from JSON) for a plain ViT.
    public var stem: ConvStemConfig?

    public init(imageWidth: Int, imageHeight: Int, channels: Int, patchSize: Int, dModel: Int, heads: Int,
                ffnDim: Int, layers: Int, labels: [String], dropout: Float = 0, layerNormEps: Float = 1e-12,
                activation: Activation = .gelu, stem: ConvStemConfig? = nil) {
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.channels = channels
        self.patchSize = patchSize
        self.labels = labels
        self.stem = stem
        encoder = TransformerConfig(dModel: dModel, heads: heads, ffnDim: ffnDim, encoderLayers: layers, decoderLayers: 0,
                                    vocabSize: 0, maxLength: 0,
                                    dropout: dropout, activation: activation, normFirst: true, finalNorm: true,
                                    layerNormEps: layerNormEps, positional: .learned, shareEmbeddings: false,
                                    tieOutput: false, scaleEmbeddings: false)
        encoder.maxLength = 1 + patchCount
    }

    /// What the patch embedding reads: the image, or the stem's feature map when there is a stem.
    public var patchInput: (channels: Int, height: Int, width: Int) {
        stem?.outputSize(channels: channels, height: imageHeight, width: imageWidth) ?? (channels, imageHeight, imageWidth)
    }

    /// Patches per image.
    public var patchCount: Int {
        let input = patchInput
        return (input.width / patchSize) * (input.height / patchSize)
    }
    public var labelCount: Int { labels.count }
}

/// A Vision Transformer classifier (Dosovitskiy et al. 2021): patches projected to D dimensions,
/// a learned class token in front, learned positions added (eq. 1), the shared pre-norm `Encoder`
/// with its final layer norm (eqs. 2–4), and a linear head on the class token's output. The layout
/// is Hugging Face's `ViTForImageClassification` (no pooler), so its checkpoints import by a table
/// (`ViTImport`).
///
/// ```swift
/// let logits = withoutGradients { model(images) }   // images [B, C, H, W] → [B, labels]
/// ```
public final class VisionTransformer: Module {
    /// Convolutions before the patch embedding (`config.stem`), names under `stem.`.
    public let stem: ConvStem?
    public let patchEmbedding: PatchEmbedding
    /// [1, D]: the `[class]` token's embedding.
    public let classToken: Tensor
    /// [1 + N, D]: position 0 is the class token's, then the patches' in row-major order.
    public let positionEmbeddings: Tensor
    public let encoder: Encoder
    public let head: Linear
    let dropout: Dropout
    public let config: VisionTransformerConfig
    public let random: RandomSource

    public init(_ config: VisionTransformerConfig, seed: UInt64 = 0) {
        let c = config.encoder
        let input = config.patchInput
        precondition(input.width % config.patchSize == 0 && input.height % config.patchSize == 0,
                     "\(config.stem == nil ? "image" : "stem output") \(input.width)×\(input.height) is not a multiple of patch \(config.patchSize)")
        precondition(!config.labels.isEmpty, "a classifier needs at least one label")
        var generator = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        dropout = Dropout(c.dropout, random: random)
        stem = config.stem.map { ConvStem($0, inChannels: config.channels, generator: &generator) }
        patchEmbedding = PatchEmbedding(channels: input.channels, patchSize: config.patchSize, dim: c.dModel, generator: &generator)
        // Truncated-normal-like small initialisation as timm / HF (std 0.02).
        classToken = Tensor.randn([1, c.dModel], std: 0.02, generator: &generator, requiresGrad: true)
        positionEmbeddings = Tensor.randn([1 + config.patchCount, c.dModel], std: 0.02, generator: &generator, requiresGrad: true)
        encoder = Encoder(c, dropout: dropout, generator: &generator)
        head = Linear(c.dModel, config.labelCount, generator: &generator)
        self.config = config
    }

    /// images [B, C, H, W] (preprocessed) → the encoder's input [B, 1 + N, D].
    func tokens(_ images: Tensor) -> Tensor {
        let b = images.shape[0], d = config.encoder.dModel
        precondition(images.rank == 4 && images.shape[2] == config.imageHeight && images.shape[3] == config.imageWidth,
                     "expected [B, \(config.channels), \(config.imageHeight), \(config.imageWidth)] images, got \(images.shape)")
        let patches = patchEmbedding(stem?(images) ?? images)                            // [B, N, D]
        let cls = classToken.reshaped([1, 1, d]) + Tensor(zeros: [b, 1, d])             // [B, 1, D]
        let tokens = Tensor.concat([cls, patches], axis: 1) + positionEmbeddings.reshaped([1, 1 + config.patchCount, d])
        return dropout(tokens)
    }

    /// images [B, C, H, W] (preprocessed) → the encoder's output [B, 1 + N, D].
    public func features(_ images: Tensor) -> Tensor { encoder(tokens(images)) }

    /// images [B, C, H, W] (preprocessed) → logits [B, labels], from the class token. Only the class
    /// token's output is read, so the last layer computes that row alone (`Encoder`'s `outputs`):
    /// the same logits as `features`, with ~5/6 of the last layer's work skipped.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        let h = encoder(tokens(images), outputs: 0..<1)
        return head(h.reshaped([h.shape[0], config.encoder.dModel]))
    }
}
