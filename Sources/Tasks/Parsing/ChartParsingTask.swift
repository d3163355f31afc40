import Data
import Foundation
import Layers
import Models
import Tensors
import Tokenization
import Training

/// Training a `ChartParser` on a treebank: every span of a sentence is classified (its gold label,
/// or ∅ when it is not a constituent) with cross entropy, each word's tag too, and CKY decodes
/// at evaluation. Batches are sentences of similar length up to a number of padded pieces, drawn
/// at random by the trainer's generator (so `--resume` is exact), as translation's are.
public final class ChartParsingTask: TrainingTask {
    /// A sentence as the parser sees it, with its gold span labels and tags as ids.
    public struct Example: Sendable {
        public var words: [String]
        public var pieces: [Int32]
        public var wordEnds: [Int]
        /// One label id per span, in `ChartParser.spans` order; `ignoreIndex` for a label the
        /// model does not know.
        public var spanLabels: [Int32]
        public var tags: [Int32]
        /// The gold tree (for F1).
        public var tree: ParseTree
    }

    /// A training batch: the encoder's input and the gold labels of every span and word.
    public struct Batch {
        public var input: ChartParser.Input
        public var spanLabels: [Int32]
        public var tags: [Int32]
        public var examples: [Int]
    }

    static let ignoreIndex: Int32 = -100

    public let model: ChartParser
    public let train: [Example]
    public let validation: [Example]
    public let tagLossWeight: Float
    let pad: Int32
    private var bucketCache: (tokens: Int, batches: [[Int]])?
    /// Held-out batches of about this many padded pieces.
    public var evaluationTokens = 4096

    public var randomSources: [RandomSource] { [model.random] }

    public init(model: ChartParser, train: [Example], validation: [Example], pad: Int32, tagLossWeight: Float = 0.5) throws {
        guard !train.isEmpty else { throw TrainingError.badData(path: "training trees", reason: "no sentence fits the model") }
        guard !validation.isEmpty else { throw TrainingError.badData(path: "validation trees", reason: "no sentence fits the model") }
        self.model = model
        self.train = train
        self.validation = validation
        self.pad = pad
        self.tagLossWeight = tagLossWeight
    }

    /// The example of `tree` (normalized, `TOP` root) for a parser with these labels and tags.
    public static func example(_ tree: ParseTree, tokenizer: any TextTokenizer, labels: [String: Int32], tags: [String: Int32]) -> Example {
        let words = tree.words
        let (pieces, ends) = ChartParser.pieces(words, tokenizer: tokenizer)
        let n = words.count
        var gold: [Int: Int32] = [:]
        for s in SpanLabels.spans(of: tree) { gold[s.start * (n + 1) + s.end] = labels[s.label] ?? ignoreIndex }
        let spanLabels = ChartParser.spans(words: n).map { gold[$0.0 * (n + 1) + $0.1] ?? 0 }
        return Example(words: words, pieces: pieces, wordEnds: ends, spanLabels: spanLabels,
                       tags: tree.tags.map { tags[$0] ?? ignoreIndex }, tree: tree)
    }

    /// Examples sorted by length and cut into batches of at most `tokens` padded pieces.
    static func buckets(_ examples: [Example], tokens: Int) -> [[Int]] {
        let order = examples.indices.sorted { (examples[$0].pieces.count, $0) < (examples[$1].pieces.count, $1) }
        var batches: [[Int]] = [], current: [Int] = []
        var widest = 0
        for i in order {
            let w = max(widest, examples[i].pieces.count)
            if !current.isEmpty && w * (current.count + 1) > tokens {
                batches.append(current)
                current = []
                widest = 0
            }
            current.append(i)
            widest = max(widest, examples[i].pieces.count)
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    func batch(_ indices: [Int], from examples: [Example]) -> Batch {
        let chosen = indices.map { examples[$0] }
        return Batch(input: ChartParser.input(chosen.map { ($0.pieces, $0.wordEnds) }, pad: pad),
                     spanLabels: chosen.flatMap(\.spanLabels), tags: chosen.flatMap(\.tags), examples: indices)
    }

    // MARK: - Training

    public func makeBatch(tokens: Int, generator: inout RandomGenerator) -> Batch {
        if bucketCache?.tokens != tokens { bucketCache = (tokens, Self.buckets(train, tokens: tokens)) }
        let batches = bucketCache!.batches
        return batch(batches[Int(generator.next() % UInt64(batches.count))], from: train)
    }

    /// Words in the batch (the rate the progress line shows).
    public func tokenCount(of batch: Batch) -> Int { batch.tags.count }

    public func loss(on batch: Batch) -> Tensor {
        let (spans, tags) = model(batch.input)
        let spanLoss = spans.crossEntropy(targets: batch.spanLabels, ignoreIndex: Self.ignoreIndex)
        guard tagLossWeight > 0 else { return spanLoss }
        return spanLoss + tagLossWeight * tags.crossEntropy(targets: batch.tags, ignoreIndex: Self.ignoreIndex)
    }

    public var splitsAcrossRanks: Bool { true }

    /// A slice of the batch's sentences: each of the two means weighted by the slice's share of
    /// the spans or tags it is over.
    public func partialLoss(on batch: Batch, part: Int, of parts: Int) -> Tensor? {
        let range = DataParallel.slice(batch.examples.count, part: part, of: parts)
        guard !range.isEmpty else { return nil }
        let mine = self.batch(Array(batch.examples[range]), from: train)
        func known(_ labels: [Int32]) -> Int { labels.reduce(0) { $0 + ($1 == Self.ignoreIndex ? 0 : 1) } }
        let (spans, tags) = model(mine.input)
        var total: Tensor?
        let spanShare = known(mine.spanLabels), spanAll = known(batch.spanLabels)
        if spanShare > 0 {
            total = spans.crossEntropy(targets: mine.spanLabels, ignoreIndex: Self.ignoreIndex) * (Float(spanShare) / Float(spanAll))
        }
        let tagShare = known(mine.tags), tagAll = known(batch.tags)
        if tagLossWeight > 0 && tagShare > 0 {
            let tagLoss = tags.crossEntropy(targets: mine.tags, ignoreIndex: Self.ignoreIndex) * (tagLossWeight * Float(tagShare) / Float(tagAll))
            total = total.map { $0 + tagLoss } ?? tagLoss
        }
        return total
    }

    // MARK: - Evaluation

    /// The span loss, and the labelled bracket F1 and tagging accuracy of CKY's trees against the
    /// gold ones, on `batches` batches spread over the validation set by length (0: all of it).
    public func evaluate(batches: Int) -> [String: Double] {
        var all = Self.buckets(validation, tokens: evaluationTokens)
        if batches > 0 && all.count > batches {
            let step = Double(all.count) / Double(batches)
            all = (0..<batches).map { all[Int(Double($0) * step)] }
        }
        var loss = 0.0, spans = 0
        var score = BracketCounts()
        for indices in all {
            let b = batch(indices, from: validation)
            let (spanLogits, tagLogits) = model(b.input)
            let known = b.spanLabels.filter { $0 != Self.ignoreIndex }.count
            loss += Double(spanLogits.crossEntropy(targets: b.spanLabels, ignoreIndex: Self.ignoreIndex).item) * Double(known)
            spans += known
            let examples = indices.map { validation[$0] }
            let trees = model.decode(examples.map(\.words), spanLogits: spanLogits.scalars, tagLogits: tagLogits.scalars)
            for (e, t) in zip(examples, trees) { score.add(gold: e.tree, test: t) }
        }
        return ["loss": loss / Double(max(spans, 1)), "f1": score.f1, "tag_accuracy": score.tagAccuracy]
    }
}

/// Labelled bracket counts for a quick F1 during training: every constituent above the
/// preterminals (chains unfolded, `TOP` left out), no punctuation removed; `zoo evalb` gives the
/// field's figure.
struct BracketCounts {
    var matched = 0, gold = 0, test = 0, tagsRight = 0, words = 0

    mutating func add(gold g: ParseTree, test t: ParseTree) {
        let a = SpanLabels.brackets(of: g), b = SpanLabels.brackets(of: t)
        gold += a.values.reduce(0, +)
        test += b.values.reduce(0, +)
        for (key, count) in a { matched += min(count, b[key] ?? 0) }
        tagsRight += zip(g.tags, t.tags).filter { $0 == $1 }.count
        words += g.tags.count
    }

    var f1: Double { gold + test == 0 ? 0 : 200 * Double(matched) / Double(gold + test) }
    var tagAccuracy: Double { words == 0 ? 0 : 100 * Double(tagsRight) / Double(words) }
}
