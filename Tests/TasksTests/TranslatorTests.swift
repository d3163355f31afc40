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
        let greedy = try entry.loadTranslator(beamSize: 1)
        let greedyHyps = greedy.hypotheses(sentences)
        #expect(greedyHyps.map(\.tokens) == loaded.search.greedy(loaded.model, sources: sentences.map(loaded.sourceIds)).map(\.tokens))
        for (s, h) in zip(sentences, loaded.hypotheses(sentences)) {
            #expect(h.tokens.count + 1 <= loaded.sourceIds(s).count + 50)
        }
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
