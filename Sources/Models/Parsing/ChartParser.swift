import Data
import Foundation
import Layers
import Tensors
import Tokenization

/// A span-based constituency parser (Stern et al. 2017; Kitaev & Klein 2018, "Constituency Parsing
/// with a Self-Attentive Encoder"): the shared Encoder stack over the sentence's subword pieces,
/// each word represented by its last piece, span representations from fencepost differences
/// (the forward half of the boundary after the span minus before it, the backward half the other
/// way round), a labelled-span classifier, a part-of-speech tagging head, and exact CKY decoding,
/// so every output is a well-formed tree over exactly the input words.
public final class ChartParser: Module {
    public let config: ChartParserConfig
    public let embedding: Embedding
    public let positions: PositionalEncoding
    public let encoder: Encoder
    /// The span classifier: Linear → LayerNorm → ReLU → Linear, as Kitaev & Klein's.
    public let spanHidden: Linear
    public let spanNorm: LayerNorm
    public let spanOutput: Linear
    public let tagOutput: Linear
    public let random: RandomSource
    let dropout: Dropout

    public init(_ c: ChartParserConfig, seed: UInt64 = 0) {
        config = c
        let e = c.encoder
        precondition(e.dModel % 2 == 0, "the fencepost halves need an even d_model, got \(e.dModel)")
        var g = RandomGenerator(seed: seed)
        random = RandomSource(seed: seed &+ 1)
        dropout = Dropout(e.dropout, random: random)
        embedding = Embedding(e.vocabSize, e.dModel, std: 1 / Float(e.dModel).squareRoot(), generator: &g)
        positions = PositionalEncoding(kind: e.positional, maxLength: e.maxLength, dim: e.dModel, generator: &g)
        encoder = Encoder(e, dropout: dropout, generator: &g)
        spanHidden = Linear(e.dModel, c.spanHidden, generator: &g)
        spanNorm = LayerNorm(c.spanHidden)
        spanOutput = Linear(c.spanHidden, c.labels.count, generator: &g)
        tagOutput = Linear(e.dModel, c.tags.count, generator: &g)
    }

    /// Sentences as the encoder sees them: beginning-of-text, each word's pieces, end-of-text, padded
    /// to the longest; `wordRows[s][k]` is the row (in the flattened [B·T] output) that stands for
    /// fencepost word k of sentence s: 0 the beginning-of-text, 1…n each word's last piece, n + 1
    /// the end-of-text.
    public struct Input {
        public var ids: [Int32]
        public var shape: [Int]
        public var padding: [Bool]?
        public var wordRows: [[Int]]
        public var wordCounts: [Int] { wordRows.map { $0.count - 2 } }
    }

    /// The pieces of one sentence and where its words end; nil when it is longer than the encoder's context.
    public static func pieces(_ words: [String], tokenizer: any TextTokenizer) -> (ids: [Int32], wordEnds: [Int]) {
        let eos = tokenizer.endOfTextId ?? 0, bos = tokenizer.beginningOfTextId ?? eos
        var ids: [Int32] = [bos], ends: [Int] = [0]
        for w in words {
            let p = tokenizer.encode(w)
            ids += p.isEmpty ? [eos] : p
            ends.append(ids.count - 1)
        }
        ids.append(eos)
        ends.append(ids.count - 1)
        return (ids, ends)
    }

    /// A batch of sentences already split into pieces (see `pieces`).
    public static func input(_ sentences: [(ids: [Int32], wordEnds: [Int])], pad: Int32) -> Input {
        let t = sentences.map(\.ids.count).max() ?? 1
        var ids: [Int32] = [], padding: [Bool] = [], rows: [[Int]] = []
        for (s, sentence) in sentences.enumerated() {
            ids += sentence.ids + [Int32](repeating: pad, count: t - sentence.ids.count)
            padding += [Bool](repeating: false, count: sentence.ids.count) + [Bool](repeating: true, count: t - sentence.ids.count)
            rows.append(sentence.wordEnds.map { s * t + $0 })
        }
        return Input(ids: ids, shape: [sentences.count, t], padding: padding.contains(true) ? padding : nil, wordRows: rows)
    }

    /// The spans scored for a sentence of `n` words, in the order the logits come: (i, j) for
    /// i in 0..<n, j in i+1...n (word j exclusive).
    public static func spans(words n: Int) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        out.reserveCapacity(n * (n + 1) / 2)
        for i in 0..<n { for j in (i + 1)...n { out.append((i, j)) } }
        return out
    }

    /// The encoder's output [B, T, D] for the sentences' pieces.
    func encode(_ input: Input) -> Tensor {
        var x = embedding(input.ids, shape: input.shape)
        if config.encoder.scaleEmbeddings { x = x * Float(config.encoder.dModel).squareRoot() }
        x = dropout(x + positions(length: input.shape[1], offset: 0))
        return encoder(x, padding: input.padding)
    }

    /// Span logits [M, labels] for every span of every sentence (sentence by sentence, in `spans`
    /// order) and tag logits [W, tags] for every word.
    public func callAsFunction(_ input: Input) -> (spans: Tensor, tags: Tensor) {
        let d = config.encoder.dModel, half = d / 2
        let h = encode(input).reshaped([input.shape[0] * input.shape[1], d])
        // Span (i, j): [f(j) − f(i); b(i + 1) − b(j + 1)] over the fencepost rows (row k + 1 is after word k),
        // times the classifier's first weight. The product is linear, so each fencepost is projected
        // once and a span's hidden vector is a sum of four rows: O(n·d·h + n²·h) instead of O(n²·d·h).
        let hiddenWeight = spanHidden.weight
        let forward = Tensor.linear(h.slice(axis: 1, 0..<half), weight: hiddenWeight.slice(axis: 1, 0..<half), bias: nil)
        let backward = Tensor.linear(h.slice(axis: 1, half..<d), weight: hiddenWeight.slice(axis: 1, half..<d), bias: nil)
        var fj: [Int32] = [], fi: [Int32] = [], bi: [Int32] = [], bj: [Int32] = [], words: [Int32] = []
        for rows in input.wordRows {
            let n = rows.count - 2
            for (i, j) in Self.spans(words: n) {
                fj.append(Int32(rows[j])); fi.append(Int32(rows[i]))
                bi.append(Int32(rows[i + 1])); bj.append(Int32(rows[j + 1]))
            }
            words += rows[1...n].map { Int32($0) }
        }
        let m = fj.count
        var projected = forward.gatherRows(fj, shape: [m]) - forward.gatherRows(fi, shape: [m])
            + (backward.gatherRows(bi, shape: [m]) - backward.gatherRows(bj, shape: [m]))
        if let bias = spanHidden.bias { projected = projected + bias }
        let hidden = spanNorm(projected).relu()
        let spanLogits = spanOutput(dropout(hidden))
        let tagLogits = tagOutput(dropout(h.gatherRows(words, shape: [words.count])))
        return (spanLogits, tagLogits)
    }

    /// The most likely tree of each sentence (words as given), by CKY over the spans' label
    /// log-probabilities, with each word's most likely tag. Sentences are encoded `batchSize`
    /// at a time; every sentence must fit the context (`fits`).
    public func parse(_ sentences: [[String]], tokenizer: any TextTokenizer, batchSize: Int = 32) -> [ParseTree] {
        let pad = tokenizer.endOfTextId ?? 0
        var out: [ParseTree] = []
        for start in stride(from: 0, to: sentences.count, by: max(1, batchSize)) {
            let chunk = Array(sentences[start..<min(sentences.count, start + max(1, batchSize))])
            let nonEmpty = chunk.filter { !$0.isEmpty }
            var trees: [ParseTree] = []
            if !nonEmpty.isEmpty {
                let input = Self.input(nonEmpty.map { Self.pieces($0, tokenizer: tokenizer) }, pad: pad)
                let (spanLogits, tagLogits) = evaluating { withoutGradients { self(input) } }
                trees = decode(nonEmpty, spanLogits: spanLogits.scalars, tagLogits: tagLogits.scalars)
            }
            var next = 0
            for words in chunk {
                if words.isEmpty { out.append(ParseTree("TOP", [])) } else { out.append(trees[next]); next += 1 }
            }
        }
        return out
    }

    /// Whether a sentence's pieces fit the encoder's context.
    public func fits(_ words: [String], tokenizer: any TextTokenizer) -> Bool {
        Self.pieces(words, tokenizer: tokenizer).ids.count <= config.encoder.maxLength
    }

    /// Trees from the logits `callAsFunction` gave for `sentences`.
    public func decode(_ sentences: [[String]], spanLogits: [Float], tagLogits: [Float]) -> [ParseTree] {
        let labels = config.labels.count, tags = config.tags.count
        var spanOffset = 0, wordOffset = 0
        var out: [ParseTree] = []
        for words in sentences {
            let n = words.count
            // A tree's log-likelihood under independent span labels is Σ log P(∅) over every span
            // plus, for each constituent, log P(label) − log P(∅): so a span's score is its best
            // label's log-odds against ∅ when positive (a constituent), else 0 (∅, dissolved).
            var best = [(label: Int, score: Float)](repeating: (0, 0), count: (n + 1) * (n + 1))
            for (k, (i, j)) in Self.spans(words: n).enumerated() {
                best[i * (n + 1) + j] = Self.spanScore(spanLogits, row: spanOffset + k, width: labels)
            }
            spanOffset += n * (n + 1) / 2
            let tagIds = (0..<n).map { w in Self.argmax(tagLogits, row: wordOffset + w, width: tags) }
            wordOffset += n
            let (root, _) = CKY.decode(words: n) { best[$0 * (n + 1) + $1] }
            out.append(ParseTree("TOP", tree(root, words: words, tags: tagIds.map { config.tags[$0] })))
        }
        return out
    }

    /// A span's label and score for CKY: the best non-empty label's logit minus ∅'s (the log
    /// ratio of their probabilities) when positive, else ∅ (label 0) with score 0.
    static func spanScore(_ logits: [Float], row: Int, width: Int) -> (label: Int, score: Float) {
        let base = row * width
        var arg = 0, top = -Float.infinity
        for c in 1..<max(width, 1) where logits[base + c] > top { top = logits[base + c]; arg = c }
        let margin = top - logits[base]
        return margin > 0 ? (arg, margin) : (0, 0)
    }

    /// The row's best class (the first of equals).
    static func argmax(_ logits: [Float], row: Int, width: Int) -> Int {
        let base = row * width
        var arg = 0
        for c in 1..<max(width, 1) where logits[base + c] > logits[base + arg] { arg = c }
        return arg
    }

    /// A CKY node as constituents: ∅ spans dissolve into their parent, chains unfold.
    func tree(_ node: CKY.Node, words: [String], tags: [String]) -> [ParseTree] {
        switch node {
        case .word(let i, let label):
            return wrap(label, [ParseTree(tags[i], [ParseTree(words[i])])])
        case .span(_, _, let label, let left, let right):
            return wrap(label, tree(left, words: words, tags: tags) + tree(right, words: words, tags: tags))
        }
    }

    func wrap(_ label: Int, _ children: [ParseTree]) -> [ParseTree] {
        guard label != 0 else { return children }
        var nodes = children
        for part in config.labels[label].components(separatedBy: ChartParserConfig.chainSeparator).reversed() {
            nodes = [ParseTree(part, nodes)]
        }
        return nodes
    }
}
