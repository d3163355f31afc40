import Tensors

/// N encoder layers (paper §3.1), with an optional final layer norm.
public final class Encoder: Module {
    public let layers: [EncoderLayer]
    public let norm: LayerNorm?

    public init(_ c: TransformerConfig, dropout: Dropout, generator: inout RandomGenerator) {
        layers = (0..<c.encoderLayers).map { _ in EncoderLayer(c, dropout: dropout, generator: &generator) }
        norm = c.finalNorm ? LayerNorm(c.dModel, eps: c.layerNormEps) : nil
    }

    /// x [B, S, D]; `padding` [B·S] is true at padded source positions. With `outputs`, the result
    /// is [B, outputs.count, D]: the last layer computes only those positions (still attending over
    /// every one), which is exact and saves most of a layer when a classifier reads one token.
    public func callAsFunction(_ x: Tensor, padding: [Bool]? = nil, outputs: Range<Int>? = nil) -> Tensor {
        let mask = AttentionMask(keyPadding: padding)
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h, mask: mask, queries: i == layers.count - 1 ? outputs : nil)
        }
        if layers.isEmpty, let outputs { h = h.slice(axis: 1, outputs) }
        return norm.map { $0(h) } ?? h
    }
}

/// N decoder layers (paper §3.1): causal self-attention, attention over the encoder's output.
public final class Decoder: Module {
    public let layers: [DecoderLayer]
    public let norm: LayerNorm?

    public init(_ c: TransformerConfig, dropout: Dropout, generator: inout RandomGenerator) {
        layers = (0..<c.decoderLayers).map { _ in DecoderLayer(c, dropout: dropout, generator: &generator) }
        norm = c.finalNorm ? LayerNorm(c.dModel, eps: c.layerNormEps) : nil
    }

    /// x [B, T, D] over `memory` [B, S, D]; with `caches` (one per layer) x holds only new positions.
    public func callAsFunction(_ x: Tensor, memory: Tensor, memoryPadding: [Bool]? = nil, targetPadding: [Bool]? = nil,
                               caches: [DecoderLayerCache]? = nil) -> Tensor {
        let selfMask = AttentionMask(causal: true, keyPadding: targetPadding)
        let memoryMask = AttentionMask(keyPadding: memoryPadding)
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h, memory: memory, selfMask: selfMask, memoryMask: memoryMask, cache: caches?[i])
        }
        return norm.map { $0(h) } ?? h
    }

    public func makeCaches(capacity: Int) -> [DecoderLayerCache] { layers.map { _ in DecoderLayerCache(capacity: capacity) } }
}

/// N self-attention blocks under a causal mask (GPT): encoder layers that see only the past.
public final class DecoderOnly: Module {
    public let layers: [EncoderLayer]
    public let norm: LayerNorm?

    public init(_ c: TransformerConfig, dropout: Dropout, activationDropout: Dropout? = nil, generator: inout RandomGenerator) {
        layers = (0..<c.decoderLayers).map { _ in EncoderLayer(c, dropout: dropout, activationDropout: activationDropout, generator: &generator) }
        norm = c.finalNorm ? LayerNorm(c.dModel, eps: c.layerNormEps) : nil
    }

    /// x [B, T, D]; with `caches` (one per layer) x holds only the new positions.
    public func callAsFunction(_ x: Tensor, padding: [Bool]? = nil, caches: [KVCache]? = nil) -> Tensor {
        let mask = AttentionMask(causal: true, keyPadding: padding)
        var h = x
        for (i, layer) in layers.enumerated() { h = layer(h, mask: mask, cache: caches?[i]) }
        return norm.map { $0(h) } ?? h
    }

    public func makeCaches(capacity: Int) -> [KVCache] { layers.map { _ in KVCache(capacity: capacity) } }
}
