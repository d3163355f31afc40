import Foundation
import Layers
import Models
import Tensors
import Testing
import Tokenization

/// ASCII characters as tokens, for tests that need a tokenizer but not a trained one. Id 0 is end-of-text.
final class ByteTokenizer: TextTokenizer, @unchecked Sendable {
    func encode(_ text: String) -> [Int32] { text.utf8.map { Int32($0) } }
    func decode(_ ids: [Int32]) -> String { String(decoding: ids.filter { $0 > 0 && $0 < 128 }.map { UInt8($0) }, as: UTF8.self) }
    var vocabularySize: Int { 128 }
    var endOfTextId: Int32? { 0 }
    var beginningOfTextId: Int32? { nil }
}

@Suite struct GenerationTests {
    static func tinyModel(seed: UInt64 = 3) -> GPT {
        GPT(GPT.gptConfig(vocabSize: 128, context: 32, dModel: 16, heads: 2, layers: 2, dropout: 0), seed: seed)
    }

    /// Greedy decoding with the KV cache equals argmax over a full forward pass of the growing
    /// sequence without a cache, token for token.
    @Test func greedyWithCacheEqualsStepByStepArgmaxWithoutCache() {
        let model = Self.tinyModel()
        let generator = TextGenerator(model: model, tokenizer: ByteTokenizer())
        var options = TextGenerator.Options(maxTokens: 12, sampling: .greedy)
        options.stopAtEndOfText = false
        let prompt: [Int32] = [72, 105, 33]
        let cached = generator.generate(ids: [prompt], options: options)[0].ids
        var sequence = prompt
        var reference: [Int32] = []
        withoutGradients {
            model.setTraining(false)
            for _ in 0..<12 {
                let logits = model(sequence, shape: [1, sequence.count])
                let next = Int32(logits.reshaped([sequence.count, 128]).argmax().last!)
                reference.append(next)
                sequence.append(next)
            }
        }
        #expect(cached == reference)
        #expect(generator.generate(ids: [prompt], options: options)[0].ids == cached)  // deterministic
    }

    /// Prompts of different lengths batched together (left-padded) give the same tokens as each alone.
    @Test func batchedPromptsEqualSinglePrompts() {
        let model = Self.tinyModel(seed: 9)
        let generator = TextGenerator(model: model, tokenizer: ByteTokenizer())
        var options = TextGenerator.Options(maxTokens: 8, sampling: .greedy)
        options.stopAtEndOfText = false
        let prompts: [[Int32]] = [[10, 20, 30, 40, 50], [7], [99, 98]]  // ids below 128
        let batched = generator.generate(ids: prompts, options: options).map(\.ids)
        let single = prompts.map { generator.generate(ids: [$0], options: options)[0].ids }
        #expect(batched == single)
    }

    @Test func topKNeverSamplesOutsideTheKMostLikely() {
        var g = RandomGenerator(seed: 1)
        let logits = (0..<50).map { _ in g.nextNormal() * 3 }
        let top5 = Set(logits.enumerated().sorted { $0.element > $1.element }.prefix(5).map { Int32($0.offset) })
        for _ in 0..<2000 {
            let id = logits.withUnsafeBufferPointer {
                Sampler.next($0.baseAddress!, count: 50, options: SamplingOptions(temperature: 1.5, topK: 5), generator: &g)
            }
            #expect(top5.contains(id))
        }
    }

    @Test func topPNeverSamplesOutsideTheNucleus() {
        var g = RandomGenerator(seed: 2)
        let logits: [Float] = [4, 3.5, 1, 0.5, 0, -1, -2, -3]
        // Softmax: the two largest hold ~0.84 of the mass, the three largest ~0.91.
        let probs = logits.map { Foundation.exp(Double($0)) }
        let total = probs.reduce(0, +)
        let nucleusSize = probs.map { $0 / total }.reduce(into: (0.0, 0)) { acc, p in if acc.0 < 0.9 { acc = (acc.0 + p, acc.1 + 1) } }.1
        var seen = Set<Int32>()
        for _ in 0..<5000 {
            let id = logits.withUnsafeBufferPointer {
                Sampler.next($0.baseAddress!, count: logits.count, options: SamplingOptions(temperature: 1, topP: 0.9), generator: &g)
            }
            #expect(Int(id) < nucleusSize)
            seen.insert(id)
        }
        #expect(seen.count == nucleusSize)  // and every member of the nucleus does occur
    }

    @Test func stopStringEndsGenerationAndIsCut() throws {
        let model = Self.tinyModel()
        let generator = TextGenerator(model: model, tokenizer: ByteTokenizer())
        var options = TextGenerator.Options(maxTokens: 20, sampling: .greedy)
        options.stopAtEndOfText = false
        let full = generator.generate(ids: [[65]], options: options)[0]
        let text = full.text
        try #require(text.count >= 4, "the tiny model should produce at least 4 characters, got \(text.debugDescription)")
        let stop = String(text[text.index(text.startIndex, offsetBy: 2)...].prefix(2))
        options.stop = [stop]
        let cut = generator.generate(ids: [[65]], options: options)[0].text
        #expect(!cut.contains(stop))
        #expect(text.hasPrefix(cut))
    }

    /// Generation stops where the context is full, as `budget` (which `zoo generate`'s note
    /// reports) says; a prompt longer than the context keeps its end, leaving room for one token.
    @Test func generationStopsAtTheContextAsTheBudgetSays() {
        #expect(TextGenerator.budget(promptLengths: [5], maxTokens: 100, context: 32) == (5, 27))
        #expect(TextGenerator.budget(promptLengths: [5, 9], maxTokens: 10, context: 32) == (9, 10))
        #expect(TextGenerator.budget(promptLengths: [40], maxTokens: 10, context: 32) == (31, 1))
        let generator = TextGenerator(model: Self.tinyModel(), tokenizer: ByteTokenizer())
        var options = TextGenerator.Options(maxTokens: 100, sampling: .greedy)
        options.stopAtEndOfText = false
        #expect(generator.generate(ids: [[72, 105, 33, 33, 33]], options: options)[0].ids.count == 27)
        #expect(generator.generate(ids: [[Int32](repeating: 72, count: 40)], options: options)[0].ids.count == 1)
        #expect(generator.promptIds("") == [0] && generator.promptIds("Hi") == [72, 105])
    }
}
