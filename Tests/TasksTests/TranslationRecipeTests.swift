import Foundation
import Data
import Layers
import Metrics
import Models
import Recipes
import Tasks
import Tensors
import TestSupport
import Testing

/// The translation recipe end to end on a toy language pair: a joint tokenizer trained on both
/// sides, a few hundred steps of a tiny encoder–decoder, test BLEU with beam search, export, and
/// the exported entry translating as the trained model did.
@Suite struct TranslationRecipeTests {
    init() { TrainingFixtures.registerFamilies() }

    /// Word-for-word "translations" of a tiny lexicon, in the same order: learnable in a few steps.
    static let lexicon: [(String, String)] = [
        ("the", "el"), ("red", "rojo"), ("cat", "gato"), ("dog", "perro"), ("eats", "come"), ("sees", "ve"),
        ("big", "grande"), ("small", "chico"), ("house", "casa"), ("bread", "pan"), ("and", "y"), ("water", "agua"),
    ]

    static func sentences(_ count: Int, seed: UInt64) -> (en: [String], es: [String]) {
        var g = RandomGenerator(seed: seed)
        var en: [String] = [], es: [String] = []
        for _ in 0..<count {
            let words = (0..<(3 + Int(g.next() % 4))).map { _ in lexicon[Int(g.next() % UInt64(lexicon.count))] }
            en.append(words.map(\.0).joined(separator: " "))
            es.append(words.map(\.1).joined(separator: " "))
        }
        return (en, es)
    }

    static func write(_ lines: [String], _ url: URL) throws { try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url) }

    /// Writes train/valid/test files and a recipe into `dir`.
    static func recipe(in dir: URL, steps: Int, average: Int = 1) throws -> Recipe {
        for (split, count, seed) in [("train", 600, UInt64(1)), ("valid", 40, 2), ("test", 30, 3)] {
            let (en, es) = sentences(count, seed: seed)
            try write(en, dir.appendingPathComponent("\(split).en"))
            try write(es, dir.appendingPathComponent("\(split).es"))
        }
        let yaml = """
            name: tiny-mt
            task: translation
            data: {train: \(dir.path)/train, validation: \(dir.path)/valid, test: \(dir.path)/test, languages: [en, es]}
            tokenizer: {path: \(dir.path)/joint.model, vocab_size: 40, character_coverage: 1.0}
            model: {stack: encoder-decoder, d_model: 64, heads: 4, layers: 2, ffn: 128, context: 32, dropout: 0.0}
            training: {optimizer: adam, betas: [0.9, 0.98], eps: 1e-9, schedule: inverse-sqrt, warmup: 20,
                       learning_rate: 3e-3, label_smoothing: 0.1, steps: \(steps), batch_tokens: 400, clip: 0, seed: 5}
            evaluation: {every: 100, batches: 0, bleu: true, beam: 3}
            checkpoint: {every: 100, keep: \(max(average, 1))}
            export: {samples: 2, average: \(average)}
            """
        let file = dir.appendingPathComponent("tiny-mt.yaml")
        try Data(yaml.utf8).write(to: file)
        return try RecipeLoader.load(path: file.path)
    }

    @Test func tinyRecipeTrainsTranslatesAndScores() throws {
        let dir = try TrainingFixtures.temporaryDirectory("tiny-mt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let recipe = try Self.recipe(in: dir, steps: 400, average: 4)
        var options = RecipeRun.Options(output: dir.appendingPathComponent("Zoo/tiny-mt"), workDirectory: dir.appendingPathComponent("work"))
        options.progress = .silent
        let result = try RecipeRun.run(recipe, options: options)
        let entry = try #require(result.entry)

        // The joint tokenizer was trained on both sides: it has pieces of both languages.
        let translator = try entry.loadTranslator(beamSize: 3)
        let tokenizer = translator.tokenizer
        #expect(tokenizer.decode(tokenizer.encode("the dog eats bread")) == "the dog eats bread")
        #expect(tokenizer.decode(tokenizer.encode("el perro come pan")) == "el perro come pan")

        // Learned: validation loss fell far below the uniform log(40) = 3.7, and the test set
        // translates (an untrained model scores ~0; repeated words stay hard for a model this small).
        let metrics = entry.config.metrics
        let validationLoss = try #require(metrics["val_loss"])
        #expect(validationLoss < 0.6)
        let testBLEU = try #require(metrics["test_bleu"])
        #expect(testBLEU > 35)
        #expect(try #require(metrics["val_bleu"]) > 35)

        // The exported weights are the mean of the last k ≤ 4 checkpoints that scored best on
        // validation BLEU; the card lists every candidate's score and the entry the steps.
        let averaged = try #require(entry.config.training.averagedSteps)
        #expect(averaged == Array([400, 300, 200, 100].prefix(averaged.count)))
        let row = try #require(entry.card?.split(separator: "\n").first { $0.hasPrefix("| weights |") })
        #expect(row.contains("chosen on validation BLEU among the last 1–4: "))
        let scores = row.split(separator: ": ").last!.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces.union(["|"]))) }
        #expect(scores.count == 4 && scores.max()! == scores[averaged.count - 1], "\(row)")
        #expect(String(format: "%.2f", metrics["val_bleu"]!) == String(format: "%.2f", scores[averaged.count - 1]))

        // The entry's translator reproduces the recipe's test score exactly (same model, same search).
        let test = try ParallelCorpus.read(source: dir.appendingPathComponent("test.en").path, target: dir.appendingPathComponent("test.es").path)
        let hypotheses = translator.translate(test.sources)
        let bleu = try BLEU().corpusScore(hypotheses: hypotheses, references: [test.targets])
        #expect(bleu.score == testBLEU)

        // The card states the test BLEU with sacreBLEU's signature and sample translations.
        let card = try #require(entry.card).replacingOccurrences(of: "\\|", with: "|")  // pipes are escaped in the table
        #expect(card.contains("BLEU = \(String(format: "%.2f", testBLEU))"))
        #expect(card.contains("signature `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:"))
        #expect(card.contains("  ref: \(test.targets[0])"))
        #expect(entry.config.task == .translation)
    }

    /// The shipped WMT14 recipe (the paper's base model) runs on WMT-format files a user provides:
    /// here a tiny sample with plain training files, a TSV validation set and an SGML test set.
    @Test func wmt14RecipeRunsOnASample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sample = root.appendingPathComponent("Tests/Fixtures/wmt-sample").path
        var recipe = try RecipeLoader.load(path: root.appendingPathComponent("Recipes/wmt14-en-de.yaml").path)
        #expect(recipe.model.dModel == 512 && recipe.model.heads == 8 && recipe.model.encoderLayers == 6
                && recipe.model.decoderLayers == 6 && recipe.training.warmup == 4000 && recipe.training.labelSmoothing == 0.1)
        let dir = try TrainingFixtures.temporaryDirectory("wmt-sample")
        defer { try? FileManager.default.removeItem(at: dir) }
        recipe.data.train = "\(sample)/train"
        recipe.data.validation = "\(sample)/dev.tsv"
        recipe.data.test = "\(sample)/test"
        recipe.tokenizer?.path = dir.appendingPathComponent("joint.model").path
        recipe.tokenizer?.vocabSize = 150
        recipe.training.batchTokens = 300
        recipe.training.accumulation = 1
        recipe.translation.beam = 1
        var options = RecipeRun.Options(steps: 2, output: dir.appendingPathComponent("Zoo/wmt"), workDirectory: dir.appendingPathComponent("work"))
        options.progress = .silent
        let entry = try #require(try RecipeRun.run(recipe, options: options).entry)
        #expect(entry.config.model.dModel == 512 && entry.config.model.encoderLayers == 6)
        #expect(entry.config.metrics["test_bleu"] != nil && entry.config.metrics["val_loss"] != nil)
        #expect(try #require(entry.card).contains("(4 sentences of \(sample)/test, beam 1"))
        #expect(try #require(entry.card).contains("## BLEU by sentence length"))
    }

    /// Each bucket's BLEU is the corpus BLEU of its sentences alone; empty buckets are left out.
    @Test func bleuByLengthScoresEachBucketAlone() throws {
        let sources = ["a b c", "one two three four five six seven eight nine ten eleven twelve", "x",
                       String(repeating: "w ", count: 45)]
        let references = ["the cat sat on the mat", "a dog ran in the park today", "hello there friend", "it is long"]
        let hypotheses = ["the cat sat on a mat", "a dog ran in the park", "hello there friend", "it was long"]
        let b = try BLEUByLength(sources: sources, references: references, hypotheses: hypotheses)
        #expect(b.buckets.map(\.label) == ["1–10", "11–20", "41+"])
        #expect(b.buckets.map(\.sentences) == [2, 1, 1])
        let first = try BLEU().corpusScore(hypotheses: [hypotheses[0], hypotheses[2]], references: [[references[0], references[2]]])
        #expect(b.buckets[0].bleu == first.score)
        let second = try BLEU().corpusScore(hypotheses: [hypotheses[1]], references: [[references[1]]])
        #expect(b.buckets[1].bleu == second.score && second.score > 0 && second.score < 100)
        #expect(b.markdown.contains("| 11–20 | 1 | \(String(format: "%.2f", second.score)) |"))
    }

    @Test func batchesHoldAtMostTheTokenBudgetAndPadCorrectly() throws {
        let examples = (0..<50).map { i in
            TranslationTask.Example(source: (0..<(1 + i % 7)).map { Int32(3 + $0) }, target: (0..<(1 + (i * 3) % 11)).map { Int32(3 + $0) })
        }
        let model = EncoderDecoder(TransformerConfig(dModel: 16, heads: 2, ffnDim: 32, encoderLayers: 1, decoderLayers: 1,
                                                     vocabSize: 20, maxLength: 32, dropout: 0), seed: 1)
        let task = try TranslationTask(model: model, train: examples, validation: Array(examples.prefix(5)), bos: 1, eos: 2)
        let buckets = TranslationTask.buckets(examples, tokens: 40)
        #expect(buckets.flatMap { $0 }.sorted() == Array(0..<50))
        for b in buckets where b.count > 1 {
            #expect(b.map { TranslationTask.width(examples[$0]) }.max()! * b.count <= 40)
        }
        var g = RandomGenerator(seed: 9)
        let batch = task.makeBatch(tokens: 40, generator: &g)
        let rows = batch.sourceShape[0], s = batch.sourceShape[1], t = batch.targetShape[1]
        #expect(batch.targetShape[0] == rows)
        // Every row: source then EOS then padding (masked); target input starts with BOS; the
        // output is the input shifted left with EOS, and ignored where padded.
        var predicted = 0
        for r in 0..<rows {
            let output = Array(batch.targetOutput[(r * t)..<((r + 1) * t)])
            let input = Array(batch.targetInput[(r * t)..<((r + 1) * t)])
            #expect(input[0] == 1)
            let length = output.firstIndex(of: -100) ?? t
            #expect(output[length - 1] == 2)
            #expect(Array(input[1..<length]) == Array(output[0..<(length - 1)]))
            predicted += length
            let source = Array(batch.source[(r * s)..<((r + 1) * s)])
            let padded = batch.sourcePadding.map { Array($0[(r * s)..<((r + 1) * s)]) } ?? [Bool](repeating: false, count: s)
            let sourceLength = padded.firstIndex(of: true) ?? s
            #expect(source[sourceLength - 1] == 2)
            #expect(!padded[..<sourceLength].contains(true) && !padded[sourceLength...].contains(false))
        }
        #expect(batch.tokens == predicted)
    }

    @Test func mismatchedParallelFilesAreAClearError() throws {
        let dir = try TrainingFixtures.temporaryDirectory("mt-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.write(["a", "b", "c"], dir.appendingPathComponent("train.en"))
        try Self.write(["x", "y"], dir.appendingPathComponent("train.es"))
        #expect {
            try TranslationTask.readSplit(dir.appendingPathComponent("train").path, languages: ["en", "es"], builtIn: nil)
        } throws: { "\($0)".contains("train.en") && "\($0)".contains("3") && "\($0)".contains("2") }
    }
}
