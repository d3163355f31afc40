import Foundation
import Layers
import Models
import Tasks
import Tensors
import TestSupport
import Testing

/// Data-parallel training rests on each task's `partialLoss`: the slices' losses must add up to
/// the whole batch's loss and their gradients to its gradient, for any number of ranks, including
/// more ranks than the batch has examples (empty slices).
@Suite struct PartialLossTests {
    init() { CharacterTokenizer.register() }

    /// Whole-batch loss and gradients against the sums over `parts` slices (dropout off).
    static func expectSlicesAddUp<T: TrainingTask>(_ task: T, _ batch: T.Batch, parts: Int,
                                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(task.splitsAcrossRanks, sourceLocation: sourceLocation)
        let model = task.model
        model.setTraining(false)
        let parameters = model.parameters
        model.zeroGrad()
        let whole = task.loss(on: batch)
        whole.backward()
        let expected = parameters.map { $0.grad?.scalars ?? [Float](repeating: 0, count: $0.count) }
        model.zeroGrad()
        var sum: Float = 0, empty = 0
        for part in 0..<parts {
            guard let loss = task.partialLoss(on: batch, part: part, of: parts) else { empty += 1; continue }
            sum += loss.item
            loss.backward()
        }
        #expect(empty < parts, sourceLocation: sourceLocation)
        #expect(abs(sum - whole.item) <= 1e-5 * abs(whole.item), "\(parts) parts: \(sum) vs \(whole.item)", sourceLocation: sourceLocation)
        // Against the gradients' own scale: a slice weighted wrongly is off by a sizeable fraction of it.
        let scale = expected.joined().map(abs).max() ?? 0
        #expect(scale > 0, sourceLocation: sourceLocation)
        var worst: Float = 0
        for (p, e) in zip(parameters, expected) {
            let g = p.grad?.scalars ?? [Float](repeating: 0, count: p.count)
            worst = max(worst, zip(g, e).map { abs($0 - $1) }.max() ?? 0)
        }
        #expect(worst <= 1e-5 * scale, "\(parts) parts: gradients off by \(worst) (scale \(scale))", sourceLocation: sourceLocation)
        model.zeroGrad()
    }

    @Test func languageModelWindows() throws {
        let tokenizer = CharacterTokenizer(alphabet: TrainingFixtures.alphabet)
        let tokens = LanguageModelTask.tokens(of: TrainingFixtures.englishLines, tokenizer: tokenizer)
        let model = GPT(TrainingFixtures.tinyConfig(vocabSize: tokenizer.vocabularySize, dropout: 0), seed: 2)
        let task = try LanguageModelTask(model: model, trainTokens: tokens, validationTokens: tokens, labelSmoothing: 0.1)
        var g = RandomGenerator(seed: 1)
        let batch = task.makeBatch(tokens: 5 * 16, generator: &g)
        #expect(batch.rows == 5)
        for parts in [1, 2, 3, 7] { Self.expectSlicesAddUp(task, batch, parts: parts) }
    }

    @Test func translationPairsWeightedByTargetTokens() throws {
        let examples = (0..<40).map { i in
            TranslationTask.Example(source: (0..<(1 + i % 7)).map { Int32(3 + $0) }, target: (0..<(1 + (i * 3) % 11)).map { Int32(3 + $0) })
        }
        let model = EncoderDecoder(TransformerConfig(dModel: 16, heads: 2, ffnDim: 32, encoderLayers: 1, decoderLayers: 1,
                                                     vocabSize: 20, maxLength: 32, dropout: 0), seed: 1)
        let task = try TranslationTask(model: model, train: examples, validation: Array(examples.prefix(5)), bos: 1, eos: 2,
                                       labelSmoothing: 0.1)
        var g = RandomGenerator(seed: 4)
        var batch = task.makeBatch(tokens: 80, generator: &g)
        while batch.examples.count < 3 { batch = task.makeBatch(tokens: 80, generator: &g) }
        // Pairs of different lengths: an even split of pairs is an uneven split of tokens.
        #expect(Set(batch.examples.map { examples[$0].target.count }).count > 1)
        for parts in [2, 3] { Self.expectSlicesAddUp(task, batch, parts: parts) }
    }

    @Test func chartParserSpansAndTagsEachWeightedByTheirOwnCounts() throws {
        let trees = ParsingTests.treebank(12, seed: 3)
        let tokenizer = CharacterTokenizer(alphabet: TrainingFixtures.alphabet)
        let labelNames = ["∅"] + Set(trees.flatMap { SpanLabels.spans(of: $0).map(\.label) }).sorted()
        let tagNames = Set(trees.flatMap(\.tags)).sorted()
        let labels = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let tags = Dictionary(uniqueKeysWithValues: tagNames.enumerated().map { ($1, Int32($0)) })
        let examples = trees.map { ChartParsingTask.example($0, tokenizer: tokenizer, labels: labels, tags: tags) }
        var encoder = TransformerConfig(dModel: 16, heads: 2, ffnDim: 32, encoderLayers: 1, decoderLayers: 0,
                                        vocabSize: tokenizer.vocabularySize, maxLength: 128, dropout: 0)
        encoder.decoderLayers = 0
        let model = ChartParser(ChartParserConfig(encoder: encoder, labels: labelNames, tags: tagNames, spanHidden: 16), seed: 1)
        let task = try ChartParsingTask(model: model, train: examples, validation: examples, pad: 0, tagLossWeight: 0.5)
        var g = RandomGenerator(seed: 2)
        var batch = task.makeBatch(tokens: 400, generator: &g)
        while batch.examples.count < 3 { batch = task.makeBatch(tokens: 400, generator: &g) }
        for parts in [2, 3] { Self.expectSlicesAddUp(task, batch, parts: parts) }
    }

    @Test func imageClassifierImages() throws {
        let (task, start) = try ImageClassificationTaskTests.task(count: 10)
        var g = start
        let batch = task.makeBatch(tokens: 5, generator: &g)
        for parts in [2, 3, 6] { Self.expectSlicesAddUp(task, batch, parts: parts) }
    }
}
