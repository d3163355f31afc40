import Tensors

/// Which attention of a model a weight map comes from.
public enum AttentionKind: String, Codable, Sendable, CaseIterable {
    /// A single stack's self-attention: a GPT's (causal), a ViT's or a parser's encoder.
    case selfAttention = "self"
    /// An encoder–decoder's encoder self-attention over the source.
    case encoderSelf = "encoder-self"
    /// An encoder–decoder's masked (causal) decoder self-attention over the target.
    case decoderSelf = "decoder-self"
    /// An encoder–decoder's decoder attention over the encoder's output (target × source).
    case cross
}

/// One attention's weights in one forward pass: softmax(Q Kᵀ / √d_k) per head.
public struct AttentionWeights {
    /// The layer, counted from 0 in its stack.
    public let layer: Int
    public let kind: AttentionKind
    /// [B, heads, queries, keys]; rows sum to 1 over the keys a query may see, masked keys are 0.
    public let weights: Tensor
}

/// Collects attention weights while a model runs (interpretability, not training): attach it to
/// a stack (`Encoder.recordAttention`, …), run the model, read `maps`, detach. Each attention
/// that runs appends one map; a detached stack costs nothing (no weights are kept or copied).
///
/// ```swift
/// let recorder = AttentionRecorder()
/// model.decoder.recordAttention(into: recorder)
/// defer { model.decoder.recordAttention(into: nil) }
/// _ = withoutGradients { model(ids, shape: [1, ids.count]) }
/// recorder.maps   // one per layer, [1, heads, T, T]
/// ```
public final class AttentionRecorder {
    public private(set) var maps: [AttentionWeights] = []

    public init() {}

    func record(layer: Int, kind: AttentionKind, weights: Tensor) {
        maps.append(AttentionWeights(layer: layer, kind: kind, weights: weights))
    }

    /// Forgets what was recorded.
    public func removeAll() { maps.removeAll() }
}

/// Where a `MultiHeadAttention` reports its weights: the recorder and the map's name.
public struct AttentionRecording {
    public let recorder: AttentionRecorder
    public let layer: Int
    public let kind: AttentionKind

    public init(recorder: AttentionRecorder, layer: Int, kind: AttentionKind) {
        self.recorder = recorder
        self.layer = layer
        self.kind = kind
    }
}

extension Encoder {
    /// Every layer's self-attention reports to `recorder` as `kind` (nil stops recording).
    public func recordAttention(into recorder: AttentionRecorder?, kind: AttentionKind = .selfAttention) {
        for (i, layer) in layers.enumerated() {
            layer.selfAttn.recording = recorder.map { AttentionRecording(recorder: $0, layer: i, kind: kind) }
        }
    }
}

extension Decoder {
    /// Every layer's masked self-attention (`decoderSelf`) and cross-attention (`cross`) report to
    /// `recorder` (nil stops recording).
    public func recordAttention(into recorder: AttentionRecorder?) {
        for (i, layer) in layers.enumerated() {
            layer.selfAttn.recording = recorder.map { AttentionRecording(recorder: $0, layer: i, kind: .decoderSelf) }
            layer.crossAttn.recording = recorder.map { AttentionRecording(recorder: $0, layer: i, kind: .cross) }
        }
    }
}

extension DecoderOnly {
    /// Every block's causal self-attention reports to `recorder` as `selfAttention` (nil stops).
    public func recordAttention(into recorder: AttentionRecorder?) {
        for (i, layer) in layers.enumerated() {
            layer.selfAttn.recording = recorder.map { AttentionRecording(recorder: $0, layer: i, kind: .selfAttention) }
        }
    }
}
