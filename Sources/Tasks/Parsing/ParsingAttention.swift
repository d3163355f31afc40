import Data
import Foundation
import Layers
import Models
import Recipes

extension Parser {
    /// The attention maps of a sentence and its parse: a chart parser's encoder self-attention
    /// over the sentence's pieces (beginning-of-text, each word's pieces, end-of-text); a
    /// sequence-to-sequence parser's encoder self-attention over the pieces (and end-of-text),
    /// and its decoder's masked self-attention and cross-attention over the tree it writes
    /// (beginning-of-text and the bracket tokens, `(NP`, `XX`, `)NP`).
    public func attentionMaps(_ words: [String], model name: String) throws -> AttentionMaps {
        guard !words.isEmpty else { throw AttentionError("the sentence is empty") }
        guard fits(words) else {
            throw AttentionError("the sentence (\(words.count) words) is longer than the parser's context of \(context) pieces; split it")
        }
        guard case .chart(let chart) = model else {
            guard case .seq2seq(let p) = model else { fatalError("a parser is a chart or a sequence-to-sequence parser") }
            let source = Seq2SeqParser.source(words, tokenizer: tokenizer)
            let best = p.hypotheses([words])[0].tokens
            let target = [p.beginningOfTarget] + best
            guard target.count <= p.model.config.maxLength else {
                throw AttentionError("the tree has \(target.count) tokens, longer than the parser's context of \(p.model.config.maxLength)")
            }
            return AttentionMaps(task: "parsing", model: name,
                                 sequences: ["source": AttentionTokens.display(source, tokenizer: tokenizer),
                                             "target": target.map { p.config.targets[Int($0)] }],
                                 sides: [.encoderSelf: AttentionSides(queries: "source", keys: "source"),
                                         .decoderSelf: AttentionSides(queries: "target", keys: "target"),
                                         .cross: AttentionSides(queries: "target", keys: "source")],
                                 maps: AttentionMap.maps(p.model.attentionWeights(source: source, target: target)),
                                 output: p.tree(best, words: words).bracketed)
        }
        let ids = ChartParser.pieces(words, tokenizer: tokenizer).ids
        let tree = try parse([words])[0]
        return AttentionMaps(task: "parsing", model: name,
                             sequences: ["pieces": AttentionTokens.display(ids, tokenizer: tokenizer)],
                             sides: [.selfAttention: AttentionSides(queries: "pieces", keys: "pieces")],
                             maps: AttentionMap.maps(chart.attentionWeights(ids)),
                             output: tree.bracketed)
    }
}

extension ParsingFamily {
    public func attention(_ entry: ZooEntry, _ request: AttentionRequest) throws -> AttentionMaps {
        let words = request.tokenized ? request.input.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            : PTBTokenizer().tokenize(request.input)
        return try entry.loadParser().attentionMaps(words, model: entry.name)
    }
}
