import Foundation
import Layers
import Tensors
import Tokenization

/// Text in, text out: an encoder–decoder, its (joint) tokenizer and a decoder (beam search or
/// greedy). Conventions, as fairseq: the source is its tokens followed by end-of-text; the target
/// starts from beginning-of-text (end-of-text when the tokenizer has none) and stops at end-of-text.
public final class Translator {
    public let model: EncoderDecoder
    public let tokenizer: any TextTokenizer
    public var search: BeamSearch

    /// - Parameters:
    ///   - beamSize: K; 1 decodes greedily.
    ///   - lengthPenalty: α of Wu et al. 2016 (0.6 by default).
    public init(model: EncoderDecoder, tokenizer: any TextTokenizer, beamSize: Int = 4, lengthPenalty: Double = 0.6) {
        let eos = tokenizer.endOfTextId ?? 0
        self.model = model
        self.tokenizer = tokenizer
        // The padding id is only fed where the mask hides it (padded source positions, dead beams).
        search = BeamSearch(beamSize: beamSize, lengthPenalty: lengthPenalty,
                            bos: tokenizer.beginningOfTextId ?? eos, eos: eos, pad: eos)
    }

    /// The positions the encoder holds: a source's tokens and its end-of-text.
    public var context: Int { model.config.maxLength }

    /// The length of a sentence's source ids uncut: its tokens and end-of-text.
    public func sourceLength(_ text: String) -> Int { tokenizer.encode(text).count + 1 }

    /// Source ids of a sentence: its tokens and end-of-text. A sentence longer than the context
    /// keeps its start, as fairseq's --truncate-source (the end of a sentence alone is not the
    /// sentence a reader sees first); callers that must not cut check `sourceLength` first.
    public func sourceIds(_ text: String) -> [Int32] {
        Array(tokenizer.encode(text).prefix(context - 1)) + [search.eos]
    }

    /// Translations of `sentences`, decoded together in batches of `batchSize`.
    public func translate(_ sentences: [String], batchSize: Int = 32) -> [String] {
        hypotheses(sentences, batchSize: batchSize).map { tokenizer.decode($0.tokens) }
    }

    /// The best hypothesis of each sentence (tokens, log-probability, length-normalized score).
    public func hypotheses(_ sentences: [String], batchSize: Int = 32) -> [Hypothesis] {
        let sources = sentences.map(sourceIds)
        var out = [Hypothesis?](repeating: nil, count: sources.count)
        for batch in lengthBatches(lengths: sources.map(\.count), batchSize: batchSize) {
            let chunk = batch.map { sources[$0] }
            let best = search.beamSize == 1 ? search.greedy(model, sources: chunk) : search(model, sources: chunk)
            for (i, h) in zip(batch, best) { out[i] = h }
        }
        return out.map { $0! }
    }
}
