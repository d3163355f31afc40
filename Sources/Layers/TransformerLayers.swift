import Tensors

/// Self-attention and feed-forward, each wrapped in a residual connection and layer norm: after
/// the sum (post-norm, the paper's `LayerNorm(x + Sublayer(x))`) or before the sublayer (pre-norm,
/// GPT-2 and most later models). Names follow `torch.nn.TransformerEncoderLayer`.
/// With a causal mask it is also the block of a decoder-only model.
public final class EncoderLayer: Module {
    public static let parameterNameOverrides = ["feedForward": ""]
    public let selfAttn: MultiHeadAttention
    public let feedForward: FeedForward
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let normFirst: Bool
    let dropout: Dropout

    /// `activationDropout` acts on the feed-forward's hidden activations (fairseq's
    /// activation_dropout); by default the same as `dropout`, as in torch.nn.TransformerEncoderLayer.
    public init(_ c: TransformerConfig, dropout: Dropout, activationDropout: Dropout? = nil, generator: inout RandomGenerator) {
        selfAttn = MultiHeadAttention(dim: c.dModel, heads: c.heads, generator: &generator)
        feedForward = FeedForward(dim: c.dModel, hidden: c.ffnDim, activation: c.activation, dropout: activationDropout ?? dropout,
                                  generator: &generator)
        norm1 = LayerNorm(c.dModel, eps: c.layerNormEps)
        norm2 = LayerNorm(c.dModel, eps: c.layerNormEps)
        normFirst = c.normFirst
        self.dropout = dropout
    }

    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none, cache: KVCache? = nil) -> Tensor {
        if normFirst {
            let h = dropout.residual(x, selfAttn(norm1(x), mask: mask, cache: cache))
            return dropout.residual(h, feedForward(norm2(h)))
        }
        let h = norm1(dropout.residual(x, selfAttn(x, mask: mask, cache: cache)))
        return norm2(dropout.residual(h, feedForward(h)))
    }

    /// The layer's output at positions `queries` only, [B, queries.count, D]: those positions attend
    /// over all of x, and everything after attention runs on their rows alone.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none, queries: Range<Int>?) -> Tensor {
        guard let queries else { return self(x, mask: mask) }
        if normFirst {
            let n = norm1(x)
            let h = dropout.residual(x.slice(axis: 1, queries), selfAttn(n.slice(axis: 1, queries), memory: n, mask: mask))
            return dropout.residual(h, feedForward(norm2(h)))
        }
        let h = norm1(dropout.residual(x.slice(axis: 1, queries), selfAttn(x.slice(axis: 1, queries), memory: x, mask: mask)))
        return norm2(dropout.residual(h, feedForward(h)))
    }
}

/// Masked self-attention, cross-attention over the encoder's output, and feed-forward, with
/// residuals and layer norms. Names follow `torch.nn.TransformerDecoderLayer`.
public final class DecoderLayer: Module {
    public static let parameterNameOverrides = ["feedForward": "", "crossAttn": "multihead_attn"]
    public let selfAttn: MultiHeadAttention
    public let crossAttn: MultiHeadAttention
    public let feedForward: FeedForward
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let norm3: LayerNorm
    public let normFirst: Bool
    let dropout: Dropout

    public init(_ c: TransformerConfig, dropout: Dropout, generator: inout RandomGenerator) {
        selfAttn = MultiHeadAttention(dim: c.dModel, heads: c.heads, generator: &generator)
        crossAttn = MultiHeadAttention(dim: c.dModel, heads: c.heads, generator: &generator)
        feedForward = FeedForward(dim: c.dModel, hidden: c.ffnDim, activation: c.activation, dropout: dropout, generator: &generator)
        norm1 = LayerNorm(c.dModel, eps: c.layerNormEps)
        norm2 = LayerNorm(c.dModel, eps: c.layerNormEps)
        norm3 = LayerNorm(c.dModel, eps: c.layerNormEps)
        normFirst = c.normFirst
        self.dropout = dropout
    }

    /// `selfMask` is usually causal; `memoryMask` carries the source's padding.
    public func callAsFunction(_ x: Tensor, memory: Tensor, selfMask: AttentionMask, memoryMask: AttentionMask,
                               cache: DecoderLayerCache? = nil) -> Tensor {
        if normFirst {
            var h = dropout.residual(x, selfAttn(norm1(x), mask: selfMask, cache: cache?.selfAttn))
            h = dropout.residual(h, crossAttn(norm2(h), memory: memory, mask: memoryMask, cache: cache?.crossAttn))
            return dropout.residual(h, feedForward(norm3(h)))
        }
        var h = norm1(dropout.residual(x, selfAttn(x, mask: selfMask, cache: cache?.selfAttn)))
        h = norm2(dropout.residual(h, crossAttn(h, memory: memory, mask: memoryMask, cache: cache?.crossAttn)))
        return norm3(dropout.residual(h, feedForward(h)))
    }
}

/// A decoder layer's two caches: past target positions and the projected source memory.
public struct DecoderLayerCache {
    public let selfAttn: KVCache
    public let crossAttn: KVCache
    public init(capacity: Int) {
        selfAttn = KVCache(capacity: capacity)
        crossAttn = KVCache(capacity: 0)
    }
}
