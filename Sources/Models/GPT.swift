import Layers
import Tensors

/// A GPT-style decoder-only language model (Radford et al. 2019): token and learned position
/// embeddings, the shared DecoderOnly stack (pre-norm blocks, final layer norm), and an output
/// projection tied to the token embedding.
public final class GPT: Module {
    public let config: TransformerConfig
    public let embedding: Embedding
    public let positions: PositionalEncoding
    public let decoder: DecoderOnly
    public let random: RandomSource
    let dropout: Dropout

    /// `config.decoderLayers` blocks; encoder fields are unused.
    public init(_ c: TransformerConfig, seed: UInt64 = 0) {
        config = c
        var g = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        dropout = Dropout(c.dropout, random: random)
        // GPT-2's initialization: N(0, 0.02) embeddings.
        embedding = Embedding(c.vocabSize, c.dModel, std: 0.02, generator: &g)
        positions = PositionalEncoding(kind: c.positional, maxLength: c.maxLength, dim: c.dModel, generator: &g)
        // GPT-2 and nanoGPT drop out the MLP's output, not its hidden activations.
        decoder = DecoderOnly(c, dropout: dropout, activationDropout: Dropout(0, random: random), generator: &g)
    }

    /// A GPT configuration: pre-norm, GELU, learned positions, final norm, tied output.
    public static func gptConfig(vocabSize: Int, context: Int, dModel: Int, heads: Int, layers: Int,
                                 ffnDim: Int? = nil, dropout: Float = 0.1, activation: Activation = .geluTanh) -> TransformerConfig {
        TransformerConfig(dModel: dModel, heads: heads, ffnDim: ffnDim ?? 4 * dModel, encoderLayers: 0, decoderLayers: layers,
                          vocabSize: vocabSize, maxLength: context, dropout: dropout, activation: activation,
                          normFirst: true, finalNorm: true, positional: .learned, shareEmbeddings: true, tieOutput: true,
                          scaleEmbeddings: false)
    }

    /// Logits [B, T, V] for ids [B, T]. With `caches` the ids are the positions after `offset`
    /// only; `padding` [B·(offset+T)] marks padded key positions (left-padded prompts), and
    /// `positionIds` [B·T] gives each row its own positions (so padding does not shift them).
    public func callAsFunction(_ ids: [Int32], shape: [Int], offset: Int = 0, padding: [Bool]? = nil,
                               caches: [KVCache]? = nil, positionIds: [Int32]? = nil) -> Tensor {
        var x = embedding(ids, shape: shape)
        if config.scaleEmbeddings { x = x * Float(config.dModel).squareRoot() }
        let pos = positionIds.map { positions(ids: $0, shape: shape) } ?? positions(length: shape[1], offset: offset)
        x = dropout(x + pos)
        let h = decoder(x, padding: padding, caches: caches)
        return .linear(h, weight: embedding.weight, bias: nil)
    }

    /// Empty KV caches for incremental decoding of up to `capacity` positions.
    public func makeCaches(capacity: Int) -> [KVCache] { decoder.makeCaches(capacity: capacity) }
}
