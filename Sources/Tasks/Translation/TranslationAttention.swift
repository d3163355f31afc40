import Foundation
import Layers
import Models
import Recipes

extension Translator {
    /// The attention maps of a sentence and its translation (the model's own, by this
    /// translator's search, or `target` teacher-forced): the encoder's self-attention over the
    /// source (its tokens and end-of-text), the decoder's masked self-attention over the target as
    /// the decoder reads it (beginning-of-text and the translation's tokens) and the cross-attention
    /// between them.
    public func attentionMaps(source text: String, target: String? = nil, model name: String) throws -> AttentionMaps {
        guard !text.allSatisfy(\.isWhitespace) else { throw AttentionError("the sentence is empty") }
        let length = sourceLength(text)
        guard length <= context else {
            throw AttentionError("the sentence has \(length) tokens (end-of-text included), longer than the model's context of \(context); split it")
        }
        let source = sourceIds(text)
        let output = target.map { tokenizer.encode($0) } ?? hypotheses([text], batchSize: 1)[0].tokens
        let decoderInput = [search.bos] + output
        guard decoderInput.count <= context else {
            throw AttentionError("the target has \(decoderInput.count) tokens (beginning-of-text included), longer than the model's context of \(context)")
        }
        return AttentionMaps(task: "translation", model: name,
                             sequences: ["source": AttentionTokens.display(source, tokenizer: tokenizer),
                                         "target": AttentionTokens.display(decoderInput, tokenizer: tokenizer)],
                             sides: [.encoderSelf: AttentionSides(queries: "source", keys: "source"),
                                     .decoderSelf: AttentionSides(queries: "target", keys: "target"),
                                     .cross: AttentionSides(queries: "target", keys: "source")],
                             maps: AttentionMap.maps(model.attentionWeights(source: source, target: decoderInput)),
                             output: tokenizer.decode(output))
    }
}

extension TranslationFamily {
    public func attention(_ entry: ZooEntry, _ request: AttentionRequest) throws -> AttentionMaps {
        let translator = try entry.loadTranslator(beamSize: request.beam, lengthPenalty: request.lengthPenalty)
        return try translator.attentionMaps(source: request.input, target: request.target, model: entry.name)
    }
}
