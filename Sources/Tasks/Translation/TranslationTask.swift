import Foundation
import Layers
import Metrics
import Models
import Tensors
import Tokenization
import Training

/// Sentence-pair translation with the encoder–decoder (fairseq's `translation` task). Examples
/// are token ids: the source with end-of-text appended, the target bare. The decoder reads
/// beginning-of-text + target and predicts target + end-of-text (the `Translator` conventions).
///
/// Batches are fairseq's: examples sorted by length and cut into batches of at most `tokens`
/// padded positions (rows × longest side), so a batch holds sentences of similar length and
/// little padding. Each training batch is one of these, drawn at random by the trainer's
/// generator, so the generator's state alone fixes the data order and `--resume` is exact.
public final class TranslationTask: TrainingTask {
    /// A source and a target: ids without the special tokens the task adds.
    public struct Example: Sendable, Equatable {
        public var source: [Int32]
        public var target: [Int32]
        public init(source: [Int32], target: [Int32]) {
            self.source = source
            self.target = target
        }
    }

    /// Padded rows of sources and targets, with masks of the padded positions.
    public struct Batch {
        public var source: [Int32]
        public var sourceShape: [Int]
        /// nil when no source row is padded.
        public var sourcePadding: [Bool]?
        public var targetInput: [Int32]
        /// Next tokens; `ignoreIndex` at padded positions.
        public var targetOutput: [Int32]
        public var targetShape: [Int]
        /// Target tokens predicted (end-of-text included, padding not).
        public var tokens: Int
        /// The examples' indices in the training set (for slicing across ranks); empty otherwise.
        public var examples: [Int] = []
    }

    static let ignoreIndex: Int32 = -100

    public let model: EncoderDecoder
    public let train: [Example]
    public let validation: [Example]
    public let labelSmoothing: Float
    public let bos: Int32, eos: Int32
    /// Validation texts, for BLEU during evaluation (nil: loss and perplexity only).
    public var validationTexts: (sources: [String], references: [String])?
    /// Decodes ids to text for validation BLEU.
    public let tokenizer: (any TextTokenizer)?
    private var bucketCache: (tokens: Int, batches: [[Int]])?

    public var randomSources: [RandomSource] { [model.random] }

    /// Throws when there are no training or validation examples, or an id is outside the vocabulary.
    public init(model: EncoderDecoder, train: [Example], validation: [Example], bos: Int32, eos: Int32,
                labelSmoothing: Float = 0.1, tokenizer: (any TextTokenizer)? = nil) throws {
        guard !train.isEmpty else { throw TrainingError.badData(path: "training pairs", reason: "no sentence pairs fit the model") }
        guard !validation.isEmpty else { throw TrainingError.badData(path: "validation pairs", reason: "no sentence pairs fit the model") }
        let v = Int32(model.config.vocabSize), t = Int32(model.config.outputVocabSize)
        for e in train + validation {
            if let bad = e.source.first(where: { $0 < 0 || $0 >= v }) {
                throw TrainingError.badData(path: "tokens", reason: "token id \(bad) is outside the model's vocabulary of \(v)")
            }
            if let bad = e.target.first(where: { $0 < 0 || $0 >= t }) {
                throw TrainingError.badData(path: "tokens", reason: "target id \(bad) is outside the model's target vocabulary of \(t)")
            }
        }
        self.model = model
        self.train = train
        self.validation = validation
        self.bos = bos
        self.eos = eos
        self.labelSmoothing = labelSmoothing
        self.tokenizer = tokenizer
    }

    /// Positions an example takes in a batch: its longer side with the added token.
    public static func width(_ e: Example) -> Int { max(e.source.count + 1, e.target.count + 1) }

    /// Examples sorted by (target, source) length and cut greedily into batches of at most
    /// `tokens` padded positions (one example at least).
    public static func buckets(_ examples: [Example], tokens: Int) -> [[Int]] {
        let order = examples.indices.sorted {
            let a = examples[$0], b = examples[$1]
            return (a.target.count, a.source.count, $0) < (b.target.count, b.source.count, $1)
        }
        var batches: [[Int]] = [], current: [Int] = []
        var widest = 0
        for i in order {
            let w = max(widest, width(examples[i]))
            if !current.isEmpty && w * (current.count + 1) > tokens {
                batches.append(current)
                current = []
                widest = 0
            }
            current.append(i)
            widest = max(widest, width(examples[i]))
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// The padded batch of `examples`.
    func batch(_ examples: [Example]) -> Batch {
        let rows = examples.count
        let s = examples.map { $0.source.count + 1 }.max()!, t = examples.map { $0.target.count + 1 }.max()!
        var source = [Int32](repeating: eos, count: rows * s), padding = [Bool](repeating: false, count: rows * s)
        var input = [Int32](repeating: eos, count: rows * t), output = [Int32](repeating: Self.ignoreIndex, count: rows * t)
        var tokens = 0
        for (r, e) in examples.enumerated() {
            for (j, id) in (e.source + [eos]).enumerated() { source[r * s + j] = id }
            for j in (e.source.count + 1)..<s { padding[r * s + j] = true }
            for (j, id) in ([bos] + e.target).enumerated() { input[r * t + j] = id }
            for (j, id) in (e.target + [eos]).enumerated() { output[r * t + j] = id }
            tokens += e.target.count + 1
        }
        return Batch(source: source, sourceShape: [rows, s], sourcePadding: padding.contains(true) ? padding : nil,
                     targetInput: input, targetOutput: output, targetShape: [rows, t], tokens: tokens)
    }

    // MARK: - Training

    public func makeBatch(tokens: Int, generator: inout RandomGenerator) -> Batch {
        if bucketCache?.tokens != tokens { bucketCache = (tokens, Self.buckets(train, tokens: tokens)) }
        let batches = bucketCache!.batches
        let pick = batches[Int(generator.next() % UInt64(batches.count))]
        var b = batch(pick.map { train[$0] })
        b.examples = pick
        return b
    }

    public func tokenCount(of batch: Batch) -> Int { batch.tokens }

    public func loss(on batch: Batch) -> Tensor {
        lossTensor(batch, labelSmoothing: labelSmoothing)
    }

    public var splitsAcrossRanks: Bool { true }

    /// A slice of the batch's sentence pairs, weighted by its share of the target tokens.
    public func partialLoss(on batch: Batch, part: Int, of parts: Int) -> Tensor? {
        precondition(!batch.examples.isEmpty, "a training batch (makeBatch) records its examples")
        let range = DataParallel.slice(batch.examples.count, part: part, of: parts)
        guard !range.isEmpty else { return nil }
        let mine = self.batch(batch.examples[range].map { train[$0] })
        return loss(on: mine) * (Float(mine.tokens) / Float(batch.tokens))
    }

    func lossTensor(_ b: Batch, labelSmoothing: Float) -> Tensor {
        let logits = model(source: b.source, sourceShape: b.sourceShape, target: b.targetInput, targetShape: b.targetShape,
                           sourcePadding: b.sourcePadding)
        return logits.reshaped([-1, model.config.outputVocabSize])
            .crossEntropy(targets: b.targetOutput, labelSmoothing: labelSmoothing, ignoreIndex: Self.ignoreIndex)
    }

    // MARK: - Evaluation

    /// Held-out batches of about this many padded positions.
    public var evaluationTokens = 4096

    /// Mean cross entropy per validation target token (no label smoothing) and its perplexity
    /// over `batches` length-sorted batches (0: all), and, when `validationTexts` is set, the
    /// BLEU of greedy translations of the whole validation set.
    public func evaluate(batches: Int) -> [String: Double] {
        var all = Self.buckets(validation, tokens: evaluationTokens)
        if batches > 0 && all.count > batches { all = Array(all.prefix(batches)) }
        var total = 0.0, count = 0
        for indices in all {
            let b = batch(indices.map { validation[$0] })
            total += Double(lossTensor(b, labelSmoothing: 0).item) * Double(b.tokens)
            count += b.tokens
        }
        let mean = total / Double(max(count, 1))
        var metrics = ["loss": mean, "ppl": Foundation.exp(mean)]
        if let texts = validationTexts, let tokenizer {
            let translator = Translator(model: model, tokenizer: tokenizer, beamSize: 1)
            let hypotheses = translator.translate(texts.sources, batchSize: 64)
            if let score = try? BLEU().corpusScore(hypotheses: hypotheses, references: [texts.references]) {
                metrics["bleu"] = score.score
            }
        }
        return metrics
    }
}
