import Layers
import Tensors

/// The Transformer of the paper: embeddings (shared between source and target, scaled by
/// √d_model), positional encodings, the shared Encoder and Decoder stacks, and an output
/// projection tied to the target embedding (§3.4).
public final class EncoderDecoder: Module {
    public static let parameterNameOverrides = ["targetEmbeddingStorage": "target_embedding", "outputProjectionStorage": "output_projection"]
    public let config: TransformerConfig
    public let embedding: Embedding
    let targetEmbeddingStorage: Embedding?
    public let positions: PositionalEncoding
    public let encoder: Encoder
    public let decoder: Decoder
    let outputProjectionStorage: Linear?
    public let random: RandomSource
    let dropout: Dropout

    public init(_ c: TransformerConfig, seed: UInt64 = 0) {
        config = c
        var g = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        dropout = Dropout(c.dropout, random: random)
        // Embeddings N(0, d^-1/2) so that the √d scaling gives unit variance (as fairseq).
        embedding = Embedding(c.vocabSize, c.dModel, std: 1 / Float(c.dModel).squareRoot(), generator: &g)
        precondition(c.targetVocabSize == nil || !c.shareEmbeddings, "a target vocabulary of its own needs separate embeddings")
        targetEmbeddingStorage = c.shareEmbeddings ? nil : Embedding(c.outputVocabSize, c.dModel, std: 1 / Float(c.dModel).squareRoot(), generator: &g)
        positions = PositionalEncoding(kind: c.positional, maxLength: c.maxLength, dim: c.dModel, generator: &g)
        encoder = Encoder(c, dropout: dropout, generator: &g)
        decoder = Decoder(c, dropout: dropout, generator: &g)
        outputProjectionStorage = c.tieOutput ? nil : Linear(c.dModel, c.outputVocabSize, bias: false, generator: &g)
    }

    public var targetEmbedding: Embedding { targetEmbeddingStorage ?? embedding }

    /// Token embeddings scaled and summed with positions, then dropout: ids [B, T] → [B, T, D].
    func embed(_ ids: [Int32], shape: [Int], table: Embedding, offset: Int = 0) -> Tensor {
        var x = table(ids, shape: shape)
        if config.scaleEmbeddings { x = x * Float(config.dModel).squareRoot() }
        return dropout(x + positions(length: shape[1], offset: offset))
    }

    /// The encoder's output for source ids [B, S]; `padding` [B·S] marks padded positions.
    public func encode(_ source: [Int32], shape: [Int], padding: [Bool]? = nil) -> Tensor {
        encoder(embed(source, shape: shape, table: embedding), padding: padding)
    }

    /// Logits [B, T, V] for target ids [B, T] given the encoder's output. With `caches`, the ids
    /// are the positions after `offset` only (incremental decoding).
    public func decode(_ target: [Int32], shape: [Int], memory: Tensor, memoryPadding: [Bool]? = nil,
                       targetPadding: [Bool]? = nil, caches: [DecoderLayerCache]? = nil, offset: Int = 0) -> Tensor {
        let x = embed(target, shape: shape, table: targetEmbedding, offset: offset)
        let h = decoder(x, memory: memory, memoryPadding: memoryPadding, targetPadding: targetPadding, caches: caches)
        if let p = outputProjectionStorage { return p(h) }
        return .linear(h, weight: targetEmbedding.weight, bias: nil)
    }

    /// Teacher-forced logits [B, T, V].
    public func callAsFunction(source: [Int32], sourceShape: [Int], target: [Int32], targetShape: [Int],
                               sourcePadding: [Bool]? = nil, targetPadding: [Bool]? = nil) -> Tensor {
        let memory = encode(source, shape: sourceShape, padding: sourcePadding)
        return decode(target, shape: targetShape, memory: memory, memoryPadding: sourcePadding, targetPadding: targetPadding)
    }
}
