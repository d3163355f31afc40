import Data
import Foundation
import Layers
import Models
import Tensors
import Testing
import Tokenization

/// The chart parser's pieces: CKY is exact, the factored span layer is the paper's, and trees
/// come back from their own spans.
@Suite struct ChartParserTests {
    /// Every binary bracketing of words start..<end, with its score.
    static func bruteForce(_ start: Int, _ end: Int, _ score: (Int, Int) -> Float) -> Float {
        if end - start == 1 { return score(start, end) }
        var best = -Float.infinity
        for k in (start + 1)..<end { best = max(best, bruteForce(start, k, score) + bruteForce(k, end, score)) }
        return score(start, end) + best
    }

    @Test func ckyFindsTheBestBracketingThatBruteForceFinds() {
        var g = RandomGenerator(seed: 7)
        for n in 1...7 {
            for _ in 0..<20 {
                var table: [Int: (Int, Float)] = [:]
                for i in 0..<n { for j in (i + 1)...n { table[i * 100 + j] = (Int(g.next() % 5), Float(g.next() % 1000) / 100 - 5) } }
                let (tree, score) = CKY.decode(words: n) { table[$0 * 100 + $1]! }
                let best = Self.bruteForce(0, n) { table[$0 * 100 + $1]!.1 }
                #expect(abs(score - best) < 1e-4, "n = \(n): CKY \(score), brute force \(best)")
                // The tree it returns scores what it says, and covers the words.
                func total(_ node: CKY.Node) -> Float {
                    switch node {
                    case .word(let i, _): return table[i * 100 + i + 1]!.1
                    case .span(let s, let e, _, let l, let r): return table[s * 100 + e]!.1 + total(l) + total(r)
                    }
                }
                #expect(abs(total(tree) - score) < 1e-4 && tree.start == 0 && tree.end == n)
            }
        }
    }

    static let sentence = ParseTree("TOP", [ParseTree("S", [
        ParseTree("NP", [ParseTree("DT", [ParseTree("The")]), ParseTree("NN", [ParseTree("striatum")])]),
        ParseTree("VP", [ParseTree("VBZ", [ParseTree("plays")]),
                         ParseTree("NP", [ParseTree("NP", [ParseTree("DT", [ParseTree("a")]), ParseTree("NN", [ParseTree("role")])])])]),
        ParseTree(".", [ParseTree(".")]),
    ])])

    @Test func spanLabelsCollapseUnaryChainsAndLeaveOutPreterminalsAndTop() {
        let spans = Set(SpanLabels.spans(of: Self.sentence))
        #expect(spans == [SpanLabels.Span(start: 0, end: 2, label: "NP"), SpanLabels.Span(start: 3, end: 5, label: "NP::NP"),
                          SpanLabels.Span(start: 2, end: 5, label: "VP"), SpanLabels.Span(start: 0, end: 6, label: "S")])
    }

    /// A parser whose span scores favour the gold spans decodes the gold tree: CKY's ∅ spans
    /// dissolve and chains unfold as they were collapsed.
    @Test func goldScoresDecodeToTheGoldTree() {
        let spans = SpanLabels.spans(of: Self.sentence)
        let labels = ["∅"] + Set(spans.map(\.label)).sorted()
        let config = ChartParserConfig(encoder: TransformerConfig(dModel: 8, heads: 2, ffnDim: 8, encoderLayers: 1, decoderLayers: 0,
                                                                  vocabSize: 10, maxLength: 16),
                                       labels: labels, tags: ["."] + ["DT", "NN", "VBZ"], spanHidden: 4)
        let parser = ChartParser(config)
        let words = Self.sentence.words, n = words.count
        var spanLogits: [Float] = [], tagLogits: [Float] = []
        for (i, j) in ChartParser.spans(words: n) {
            let gold = spans.first { $0.start == i && $0.end == j }.map { labels.firstIndex(of: $0.label)! } ?? 0
            spanLogits += labels.indices.map { $0 == gold ? 5 : 0 }
        }
        for tag in Self.sentence.tags { tagLogits += config.tags.map { $0 == tag ? 5 : 0 } }
        #expect(parser.decode([words], spanLogits: spanLogits, tagLogits: tagLogits) == [Self.sentence])
    }

    /// The classifier's first layer applied to the fenceposts once equals applying it to each
    /// span's concatenated features [f(j) − f(i); b(i+1) − b(j+1)] (Kitaev & Klein's span vector).
    @Test func factoredSpanLayerEqualsTheLayerOnSpanFeatures() {
        let encoder = TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 0, vocabSize: 20, maxLength: 16,
                                        dropout: 0)
        let parser = ChartParser(ChartParserConfig(encoder: encoder, labels: ["∅", "A", "B"], tags: ["X"], spanHidden: 6), seed: 3)
        let input = ChartParser.input([([1, 4, 5, 6, 2], [0, 1, 3, 4]), ([1, 7, 2], [0, 1, 2])], pad: 0)
        let (logits, _) = withoutGradients { parser.evaluating { parser(input) } }
        // The same logits, computed the long way from the encoder's output.
        let h = withoutGradients { parser.evaluating {
            parser.encoder(parser.embedding(input.ids, shape: input.shape) * Float(8).squareRoot()
                           + parser.positions(length: input.shape[1]), padding: input.padding).scalars
        } }
        var expected: [Float] = []
        for rows in input.wordRows {
            for (i, j) in ChartParser.spans(words: rows.count - 2) {
                let f = (0..<4).map { h[rows[j] * 8 + $0] - h[rows[i] * 8 + $0] }
                let b = (4..<8).map { h[rows[i + 1] * 8 + $0] - h[rows[j + 1] * 8 + $0] }
                let features = Tensor(f + b, shape: [1, 8])
                let hidden = parser.spanNorm(parser.spanHidden(features)).relu()
                expected += parser.spanOutput(hidden).scalars
            }
        }
        #expect(logits.shape == [4, 3] && expected.count == 12)
        #expect(zip(logits.scalars, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "\(logits.scalars) vs \(expected)")
    }
}
