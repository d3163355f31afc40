import Data
import Foundation
import Layers
import Tensors
import Tokenization

/// What a sequence-to-sequence parser's zoo entry holds beside its encoder–decoder: the target
/// vocabulary and how it decodes.
public struct Seq2SeqParserConfig: Codable, Sendable, Equatable {
    /// Target tokens by id: the tokenizer's special tokens at their own ids (so beginning and end
    /// of sentence are one id on both sides), then the linearized trees' tokens (`(NP`, `)NP`,
    /// and `XX` or the part-of-speech tags).
    public var targets: [String]
    /// Whether preterminals are part-of-speech tags (else `XX`: the tagger is not the parser's job).
    public var tags: Bool
    /// Beam size and length penalty α (Wu et al. 2016) of the parse.
    public var beam: Int
    public var lengthPenalty: Double
    /// The output may be at most the source's pieces plus this many tokens (the paper: 300).
    public var maxExtraLength: Int

    public init(targets: [String], tags: Bool, beam: Int = 4, lengthPenalty: Double = 0.6, maxExtraLength: Int = 300) {
        self.targets = targets
        self.tags = tags
        self.beam = beam
        self.lengthPenalty = lengthPenalty
        self.maxExtraLength = maxExtraLength
    }
}

/// The parser of "Attention Is All You Need" §6.3 and Vinyals et al. 2015 ("Grammar as a Foreign
/// Language"): the shared encoder–decoder reads the sentence's subword pieces and writes its tree
/// as a bracket sequence (`(S (NP XX XX )NP (VP XX )VP )S`). Beam search is constrained
/// (`TreeConstraint`), so every output is a well-formed tree over exactly the input's words.
public struct Seq2SeqParser {
    public let model: EncoderDecoder
    public let config: Seq2SeqParserConfig
    public let tokenizer: any TextTokenizer

    public init(model: EncoderDecoder, config: Seq2SeqParserConfig, tokenizer: any TextTokenizer) {
        self.model = model
        self.config = config
        self.tokenizer = tokenizer
    }

    /// The source ids of a sentence: its words' pieces (words joined by spaces) and end-of-text.
    public static func source(_ words: [String], tokenizer: any TextTokenizer) -> [Int32] {
        tokenizer.encode(words.joined(separator: " ")) + [tokenizer.endOfTextId ?? 0]
    }

    /// Whether the sentence's pieces and its longest possible tree fit the model's positions.
    public func fits(_ words: [String]) -> Bool {
        let pieces = Self.source(words, tokenizer: tokenizer).count
        return pieces <= model.config.maxLength && words.count + 3 <= min(pieces + config.maxExtraLength, model.config.maxLength)
    }

    /// The constrained beam search for sentences of `wordCounts` words.
    func search(wordCounts: [Int]) -> BeamSearch {
        let eos = tokenizer.endOfTextId ?? 0
        var search = BeamSearch(beamSize: config.beam, lengthPenalty: config.lengthPenalty, maxExtraLength: config.maxExtraLength,
                                bos: beginningOfTarget, eos: eos, pad: eos)
        search.constraint = TreeConstraint(vocabulary: config.targets, end: eos, wordCounts: wordCounts)
        return search
    }

    /// The decoder's first input (beginning-of-text, end-of-text when the tokenizer has none).
    public var beginningOfTarget: Int32 { tokenizer.beginningOfTextId ?? tokenizer.endOfTextId ?? 0 }

    /// The best hypothesis (target ids, end-of-text left out) of each sentence (none empty).
    public func hypotheses(_ sentences: [[String]]) -> [Hypothesis] {
        guard !sentences.isEmpty else { return [] }
        let search = search(wordCounts: sentences.map(\.count))
        let sources = sentences.map { Self.source($0, tokenizer: tokenizer) }
        return search.beamSize == 1 ? search.greedy(model, sources: sources) : search(model, sources: sources)
    }

    /// The tree a hypothesis's target ids write over `words`.
    public func tree(_ ids: [Int32], words: [String]) -> ParseTree {
        // The constraint admits only trees; a flat tree stands in should the limit ever be too short.
        (try? ParseTree(linearized: ids.map { config.targets[Int($0)] }, words: words))
            ?? ParseTree("TOP", [ParseTree("S", words.map { ParseTree("XX", [ParseTree($0)]) })])
    }

    /// The best tree of each sentence, decoded in batches of similar lengths.
    public func parse(_ sentences: [[String]], batchSize: Int = 32) -> [ParseTree] {
        var out = sentences.map { _ in ParseTree("TOP", []) }
        let nonEmpty = sentences.indices.filter { !sentences[$0].isEmpty }
        for batch in lengthBatches(lengths: nonEmpty.map { sentences[$0].count }, batchSize: batchSize) {
            let indices = batch.map { nonEmpty[$0] }
            for (i, best) in zip(indices, hypotheses(indices.map { sentences[$0] })) {
                out[i] = tree(best.tokens, words: sentences[i])
            }
        }
        return out
    }
}
