import Layers
import Tensors

// Each model's attention weights for one input, from one forward pass in evaluation mode without
// a cache (the same weights incremental decoding computes a row at a time). The recorders are
// detached afterwards, so the models run as before.

/// Runs `body` in evaluation mode without gradients with `attach(recorder)` in force, then
/// detaches (`attach(nil)`); returns what was recorded.
func recordingAttention(_ model: some Module, attach: (AttentionRecorder?) -> Void, _ body: () -> Void) -> [AttentionWeights] {
    let recorder = AttentionRecorder()
    attach(recorder)
    defer { attach(nil) }
    model.evaluating { withoutGradients { body() } }
    return recorder.maps
}

extension GPT {
    /// Every block's causal self-attention over `ids` (at most `config.maxLength` of them),
    /// [1, heads, T, T] each.
    public func attentionWeights(_ ids: [Int32]) -> [AttentionWeights] {
        precondition(!ids.isEmpty && ids.count <= config.maxLength, "\(ids.count) ids for a context of \(config.maxLength)")
        return recordingAttention(self, attach: { decoder.recordAttention(into: $0) }) { _ = self(ids, shape: [1, ids.count]) }
    }
}

extension EncoderDecoder {
    /// The encoder's self-attention over `source` (`encoderSelf`), then per decoder layer its
    /// masked self-attention over `target` (`decoderSelf`) and its attention from `target` over
    /// `source` (`cross`), teacher-forced: `target` is the decoder's input (beginning-of-text and
    /// the output tokens).
    public func attentionWeights(source: [Int32], target: [Int32]) -> [AttentionWeights] {
        precondition(!source.isEmpty && !target.isEmpty && source.count <= config.maxLength && target.count <= config.maxLength,
                     "\(source.count) source and \(target.count) target ids for a context of \(config.maxLength)")
        return recordingAttention(self, attach: {
            encoder.recordAttention(into: $0, kind: .encoderSelf)
            decoder.recordAttention(into: $0)
        }) {
            _ = self(source: source, sourceShape: [1, source.count], target: target, targetShape: [1, target.count])
        }
    }
}

extension VisionTransformer {
    /// Every layer's self-attention over the class token and the patches, [1, heads, 1 + N, 1 + N]
    /// each, for one preprocessed image [1, C, H, W]. The whole last layer runs (classification
    /// alone computes only its class-token row).
    public func attentionWeights(_ image: Tensor) -> [AttentionWeights] {
        precondition(image.rank == 4 && image.shape[0] == 1, "one image [1, C, H, W], got \(image.shape)")
        return recordingAttention(self, attach: { encoder.recordAttention(into: $0) }) { _ = features(image) }
    }
}

extension ChartParser {
    /// Every encoder layer's self-attention over one sentence's pieces (`pieces`: beginning-of-text,
    /// the words' pieces, end-of-text), [1, heads, T, T] each.
    public func attentionWeights(_ ids: [Int32]) -> [AttentionWeights] {
        precondition(!ids.isEmpty && ids.count <= config.encoder.maxLength, "\(ids.count) pieces for a context of \(config.encoder.maxLength)")
        let input = Input(ids: ids, shape: [1, ids.count], padding: nil, wordRows: [])
        return recordingAttention(self, attach: { encoder.recordAttention(into: $0) }) { _ = encode(input) }
    }
}
