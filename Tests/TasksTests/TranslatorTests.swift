import Foundation
import Layers
import Models
import ModelZoo
import Tasks
import TestSupport
import Testing

@Suite struct TranslatorTests {
    static func model(vocabSize: Int) -> EncoderDecoder {
        EncoderDecoder(TransformerConfig(dModel: 32, heads: 4, ffnDim: 64, encoderLayers: 1, decoderLayers: 1,
                                         vocabSize: vocabSize, maxLength: 80, dropout: 0.1), seed: 3)
    }

    /// A translation entry exported to a zoo loads back as a translator that decodes the same
    /// text as the in-memory model; beam 1 gives the greedy output.
    @Test func translationEntryLoadsAndTranslates() throws {
        CharacterTokenizer.register()
        let dir = try TrainingFixtures.temporaryDirectory("translate")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("abcdefgh .".utf8).write(to: dir.appendingPathComponent("chars.txt"))
        let tokenizer = CharacterTokenizer(alphabet: "abcdefgh .")
        let model = Self.model(vocabSize: tokenizer.vocabularySize)
        let config = ZooEntryConfig(name: "mt", task: .translation, model: model.config,
                                    tokenizer: .init(kind: "test-chars", files: ["chars.txt"]), metrics: [:],
                                    training: .init(recipe: nil, data: "none", steps: 0, tokens: 0, wallSeconds: 0, parameters: model.parameterCount))
        let entry = try ZooRegistry.export(ZooExport(config: config, weights: model.namedParameters.map { ($0.name, $0.tensor) },
                                                     tokenizerFiles: [dir.appendingPathComponent("chars.txt")], card: "# mt\n"),
                                           to: dir.appendingPathComponent("Zoo/mt"))
        let sentences = ["abc def.", "a", "hhh ggg fff eee"]
        let loaded = try entry.loadTranslator()
        let direct = Translator(model: model, tokenizer: tokenizer)
        #expect(loaded.translate(sentences) == direct.translate(sentences))
        #expect(loaded.translate(sentences, batchSize: 1) == loaded.translate(sentences))

        // What the encoder is given, worked out by hand from chars.txt: "abcdefgh ." is ids 2...11
        // ('a' 2, ' ' 10, '.' 11), a character outside it is 1, end-of-text is 0 and ends every source.
        let long = String(repeating: "abcdefgh .", count: 10)  // 100 characters, the model holds 80
        let longIds = [Int32]((0 ..< 10).flatMap { _ in Array(2 ... 11) })
        let expected: [(String, [Int32])] = [
            ("abc def.", [2, 3, 4, 10, 5, 6, 7, 11, 0]),
            ("a", [2, 0]),
            ("hhh ggg fff eee", [9, 9, 9, 10, 8, 8, 8, 10, 7, 7, 7, 10, 6, 6, 6, 0]),
            ("ax!", [2, 1, 1, 0]),
            ("", [0]),
            // Too long: cut to the model's 80 positions, end-of-text kept (the first 79 characters).
            (long, Array(longIds.prefix(79)) + [0]),
        ]
        for (sentence, ids) in expected {
            #expect(loaded.sourceIds(sentence) == ids, "\(sentence.debugDescription)")
        }
        #expect(loaded.sourceIds(long).count == model.config.maxLength)
        #expect(loaded.sourceLength(long) == 101 && loaded.sourceLength("a") == 2 && loaded.context == 80)
        // Those are the ids translated, longest first: the same hypotheses (log-probabilities to
        // the bit) as the search run on the hand-made ids in that order, by beam search and by
        // greedy decoding (beam 1), given back in the input's order.
        let all = expected.map(\.0), ids = expected.map(\.1)
        let order = lengthBatches(lengths: ids.map(\.count), batchSize: 32).flatMap { $0 }
        #expect(order == [5, 2, 0, 3, 1, 4])
        func inInputOrder(_ hyps: [Hypothesis]) -> [Hypothesis] {
            var out = hyps
            for (i, h) in zip(order, hyps) { out[i] = h }
            return out
        }
        let beam = inInputOrder(loaded.search(loaded.model, sources: order.map { ids[$0] }))
        #expect(loaded.hypotheses(all) == beam)
        let greedy = try entry.loadTranslator(beamSize: 1)
        #expect(greedy.hypotheses(all) == inInputOrder(greedy.search.greedy(greedy.model, sources: order.map { ids[$0] })))
        #expect(loaded.translate(all) == beam.map { tokenizer.decode($0.tokens) })
    }

    @Test func languageModelEntryIsRejectedAsTranslator() throws {
        CharacterTokenizer.register()
        let dir = try TrainingFixtures.temporaryDirectory("translate-lm")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("abcdefgh".utf8).write(to: dir.appendingPathComponent("chars.txt"))
        let lm = GPT(TrainingFixtures.tinyConfig(vocabSize: 10))
        let config = ZooEntryConfig(name: "lm", task: .languageModel, model: lm.config,
                                    tokenizer: .init(kind: "test-chars", files: ["chars.txt"]), metrics: [:],
                                    training: .init(recipe: nil, data: "none", steps: 0, tokens: 0, wallSeconds: 0, parameters: lm.parameterCount))
        let entry = try ZooRegistry.export(ZooExport(config: config, weights: lm.namedParameters.map { ($0.name, $0.tensor) },
                                                     tokenizerFiles: [dir.appendingPathComponent("chars.txt")], card: "# lm\n"),
                                           to: dir.appendingPathComponent("Zoo/lm"))
        let message = TrainingFixtures.errorMessage { _ = try entry.loadTranslator() }
        #expect(message.contains("translation"), "\(message)")
    }
}
