import Data
import Foundation
import Layers
import Models
import Recipes

extension Parser {
    /// A chart parser's encoder self-attention over a sentence's pieces (beginning-of-text, each
    /// word's pieces, end-of-text), with the tree it parses. Sequence-to-sequence parsers have no
    /// attention maps here.
    public func attentionMaps(_ words: [String], model name: String) throws -> AttentionMaps {
        guard case .chart(let chart) = model else {
            throw AttentionError("attention maps are drawn for chart parsers; this is a sequence-to-sequence parser")
        }
        guard !words.isEmpty else { throw AttentionError("the sentence is empty") }
        let ids = ChartParser.pieces(words, tokenizer: tokenizer).ids
        guard ids.count <= context else {
            throw AttentionError("the sentence (\(words.count) words) has \(ids.count) pieces, longer than the parser's context of \(context); split it")
        }
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
