import Data
import Foundation
import Models
import ModelZoo
import Recipes
import Tasks
import Tensors
import TestSupport
import Testing

/// The parsing family end to end on a small generated treebank: a recipe trains a chart parser
/// through the shared trainer, scores it with EVALB and exports it; the zoo loads it back and it
/// parses new sentences into well-formed trees over exactly their words.
@Suite struct ParsingTests {
    init() {
        TrainingFixtures.registerFamilies()
        CharacterTokenizer.register()
    }

    /// A toy English grammar with prepositional attachment: S → NP VP ., NP → DT (JJ) NN | NP PP | PRP,
    /// VP → VBD NP | VBD PP | VBD NP PP | VBZ ADJP, PP → IN NP.
    struct Grammar {
        var g: RandomGenerator
        mutating func pick(_ words: [String]) -> String { words[Int(g.next() % UInt64(words.count))] }
        mutating func leaf(_ tag: String, _ words: [String]) -> ParseTree { ParseTree(tag, [ParseTree(pick(words))]) }
        mutating func np(_ depth: Int) -> ParseTree {
            switch g.next() % 6 {
            case 0: return ParseTree("NP", [leaf("PRP", ["it", "she", "he"])])
            case 1 where depth < 2: return ParseTree("NP", [np(depth + 1), pp(depth + 1)])
            case 2: return ParseTree("NP", [leaf("DT", ["the", "a"]), leaf("JJ", ["big", "small", "red"]), leaf("NN", ["cat", "dog", "mat", "bird"])])
            default: return ParseTree("NP", [leaf("DT", ["the", "a"]), leaf("NN", ["cat", "dog", "mat", "log", "bird"])])
            }
        }
        mutating func pp(_ depth: Int) -> ParseTree { ParseTree("PP", [leaf("IN", ["on", "under", "with"]), np(depth + 1)]) }
        mutating func vp() -> ParseTree {
            switch g.next() % 4 {
            case 0: return ParseTree("VP", [leaf("VBD", ["saw", "chased", "liked"]), np(0)])
            case 1: return ParseTree("VP", [leaf("VBD", ["sat", "slept"]), pp(0)])
            case 2: return ParseTree("VP", [leaf("VBD", ["saw", "chased"]), np(0), pp(0)])
            default: return ParseTree("VP", [leaf("VBZ", ["is"]), ParseTree("ADJP", [leaf("JJ", ["big", "small", "red"])])])
            }
        }
        mutating func sentence() -> ParseTree {
            ParseTree("TOP", [ParseTree("S", [np(0), vp(), ParseTree(".", [ParseTree(".")])])])
        }
    }

    static func treebank(_ count: Int, seed: UInt64) -> [ParseTree] {
        var grammar = Grammar(g: RandomGenerator(seed: seed))
        return (0..<count).map { _ in grammar.sentence() }
    }

    static func recipe(in dir: URL, steps: Int, seq2seq: Bool = false, compareWith: [String] = []) throws -> Recipe {
        try Treebank.write(Self.treebank(300, seed: 1), to: dir.appendingPathComponent("train.txt").path)
        try Treebank.write(Self.treebank(40, seed: 2), to: dir.appendingPathComponent("dev.txt").path)
        try Treebank.write(Self.treebank(60, seed: 3), to: dir.appendingPathComponent("test.txt").path)
        try Data("abcdefghijklmnopqrstuvwxyz.".utf8).write(to: dir.appendingPathComponent("chars.txt"))
        let yaml = """
            name: tiny-parser
            task: parsing
            data: {train: \(dir.path)/train.txt, validation: \(dir.path)/dev.txt, test: \(dir.path)/test.txt}
            tokenizer: {path: \(dir.path)/chars.txt, kind: test-chars}
            model: \(seq2seq ? "{stack: encoder-decoder, parser: seq2seq, d_model: 32, heads: 2, layers: 2, ffn: 64, context: 128, dropout: 0.0, norm_first: true}"
                                : "{d_model: 32, heads: 2, layers: 2, ffn: 64, context: 96, dropout: 0.0, norm_first: true, positional: learned, span_hidden: 32}")
            training: {steps: \(steps), batch_tokens: 600, learning_rate: 3e-3, warmup: 10, seed: 4}
            evaluation: {every: 0, batches: 0\(compareWith.isEmpty ? "" : ", compare_with: [\(compareWith.joined(separator: ", "))]")}
            checkpoint: {every: 0}
            """
        let file = dir.appendingPathComponent("tiny-parser-\(steps)\(seq2seq ? "-seq2seq" : "")\(compareWith.isEmpty ? "" : "-compared").yaml")
        try Data(yaml.utf8).write(to: file)
        return try RecipeLoader.load(path: file.path)
    }

    static func train(steps: Int, in dir: URL, seq2seq: Bool = false, compareWith: [String] = []) throws -> ZooEntry {
        let name = "tiny-parser-\(steps)\(seq2seq ? "-seq2seq" : "")\(compareWith.isEmpty ? "" : "-compared")"
        var options = RecipeRun.Options(output: dir.appendingPathComponent("Zoo/\(name)"), workDirectory: dir.appendingPathComponent("work-\(name)"))
        options.progress = .silent
        // A run of a recipe already run here replaces its entry (a refusal would hide what the test checks).
        options.force = true
        return try #require(try RecipeRun.run(try Self.recipe(in: dir, steps: steps, seq2seq: seq2seq, compareWith: compareWith), options: options).entry)
    }

    /// The sequence-to-sequence parser learns the treebank too, and its constrained beam search
    /// only ever writes well-formed trees over the words, trained or not.
    @Test func aTinySequenceToSequenceRecipeLearnsTheTreebank() throws {
        let dir = try TrainingFixtures.temporaryDirectory("parsing-seq2seq")
        defer { try? FileManager.default.removeItem(at: dir) }
        let untrained = try Self.train(steps: 1, in: dir, seq2seq: true), trained = try Self.train(steps: 600, in: dir, seq2seq: true)
        let before = try #require(untrained.config.metrics["test_f1"]), after = try #require(trained.config.metrics["test_f1"])
        #expect(after > 45 && before < 30, "EVALB F1 \(before) untrained, \(after) trained")
        #expect(trained.config.seq2seqParser?.tags == true && trained.config.metrics["dev_f1"] != nil)
        let sentences = Self.treebank(30, seed: 98)
        // Its attention maps: the encoder over the pieces, the decoder over the tree it writes.
        let words = sentences[0].words
        let maps = try ParsingFamily().attention(trained, { var r = AttentionRequest(input: words.joined(separator: " ")); r.tokenized = true; return r }())
        #expect(maps.kinds == [.encoderSelf, .decoderSelf, .cross] && maps.layers == 2 && maps.heads == 2)
        #expect(maps.sequences["source"]?.count == Seq2SeqParser.source(words, tokenizer: try trained.loadTokenizer()).count)
        let target = try #require(maps.sequences["target"])
        #expect(target.count > words.count && target.dropFirst().contains("(S"), "\(target)")
        #expect(maps.output == (try trained.loadParser().parse([words])[0].bracketed))
        #expect(maps.map(layer: 2, kind: .cross).map { [$0.queries, $0.keys] } == [target.count, maps.sequences["source"]!.count])
        for entry in [untrained, trained] {
            let parsed = try entry.loadParser().parse(sentences.map(\.words))
            for (gold, tree) in zip(sentences, parsed) {
                #expect(tree.words == gold.words && tree.label == "TOP" && tree.children.allSatisfy { !$0.isLeaf })
            }
        }
    }

    @Test func aTinyRecipeLearnsTheTreebankFarAboveAnUntrainedParser() throws {
        let dir = try TrainingFixtures.temporaryDirectory("parsing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let untrained = try Self.train(steps: 1, in: dir), trained = try Self.train(steps: 600, in: dir)
        let before = try #require(untrained.config.metrics["test_f1"]), after = try #require(trained.config.metrics["test_f1"])
        #expect(after > 85 && before < 30, "EVALB F1 \(before) untrained, \(after) trained")
        let tags = try #require(trained.config.metrics["test_tag_accuracy"])
        #expect(tags > 80, "tagging accuracy \(tags)")
        #expect(trained.config.task == .parsing && trained.card?.contains("EVALB bracketing F1 (all)") == true)

        // The zoo entry parses new sentences: well-formed trees over exactly their words.
        let parser = try trained.loadParser()
        let sentences = Self.treebank(30, seed: 99)
        let parsed = try parser.parse(sentences.map(\.words))
        for (gold, tree) in zip(sentences, parsed) {
            #expect(tree.words == gold.words && tree.label == "TOP")
            #expect(try Treebank.parse(tree.bracketed) == [tree])
        }
        // A card lists the development F1 of the parsers it was selected against; one that is
        // missing stops the run before training.
        let devF1 = try #require(trained.config.metrics["dev_f1"])
        #expect(devF1 > 80 && trained.card?.contains("development F1 (EVALB, all / ≤ 40)") == true, "dev F1 \(devF1)")
        let compared = try Self.train(steps: 1, in: dir, compareWith: [trained.directory.path])
        let card = try #require(compared.card)
        #expect(card.contains("| compared on development | chart parser `") && card.contains("`: F1 \(String(format: "%.2f", devF1))"), "\(card)")
        let missing = TrainingFixtures.errorMessage { try Self.train(steps: 1, in: dir, compareWith: [dir.appendingPathComponent("nothing").path]) }
        #expect(missing.contains("key 'evaluation.compare_with'") && missing.contains("nothing"), "\(missing)")

        // `zoo eval` prints EVALB's summary.
        var request = EvaluationRequest()
        request.data = dir.appendingPathComponent("test.txt").path
        let lines = try TaskCatalog.family(of: trained).evaluate(trained, request).lines.joined(separator: "\n")
        #expect(lines.hasPrefix("=== Summary ===") && lines.contains("Bracketing FMeasure"))
    }

    /// Recipes/wsj-parsing.yaml is the paper's §6.3 WSJ-only setup, and reads the files `zoo data wsj` writes.
    @Test func theWSJRecipeIsThePapersWSJOnlySetup() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let recipe = try RecipeLoader.load(path: root.appendingPathComponent("Recipes/wsj-parsing.yaml").path)
        #expect(recipe.task == .parsing && recipe.data.source == "wsj" && recipe.exportName == "wsj-parsing")
        let m = recipe.model
        #expect(m.stack == .encoderDecoder && recipe.parsing.parser == .seq2seq)
        #expect(m.encoderLayers == 4 && m.decoderLayers == 4 && m.dModel == 1024 && m.heads == 8 && m.ffn == 2048)
        #expect(m.dropout == 0.3 && m.normFirst == false)
        let t = recipe.training
        #expect(t.optimizer == .adam && t.betas == [0.9, 0.98] && t.eps == 1e-9 && t.labelSmoothing == 0.1)
        #expect(t.schedule == .inverseSqrt && t.warmup == 4000)
        // The peak is the base model's d^-0.5 · warmup^-0.5 for d_model 1024.
        let peak = t.makeSchedule(dModel: m.dModel, totalSteps: t.steps).learningRate(step: 4000)
        #expect(abs(peak / (1 / (1024 * 4000 as Float).squareRoot()) - 1) < 0.001, "peak \(peak)")
        #expect(recipe.parsing.beam == 21 && recipe.parsing.lengthPenalty == 0.3 && recipe.parsing.maxExtraLength == 300)
        let tokenizer = try recipe.requiredTokenizer()
        #expect(tokenizer.path == "Tokenizers/wsj-unigram-16000.model" && tokenizer.vocabSize == 16000 && tokenizer.modelType == "unigram")

        let files = try recipe.dataFiles(of: ParsingFamily())
        #expect(files.train == "data/wsj/train.txt" && files.validation == "data/wsj/dev.txt" && files.test == "data/wsj/test.txt")
        #expect(files.builtIn?.credit == "the Penn Treebank-3 (Marcus et al. 1993; LDC99T42), Wall Street Journal sections 02–21 / 22 / 23, "
                + "licensed from the Linguistic Data Consortium")
    }

    @Test func parsingRecipesRejectWhatAChartParserCannotUse() {
        let base = "name: p\ntask: parsing\ndata: {train: t.txt}\ntokenizer: {path: x.model}\n"
        func message(_ rest: String) -> String { TrainingFixtures.errorMessage { try RecipeLoader.parse(base + rest, file: "p.yaml") } }
        #expect(message("model: {d_model: 33, heads: 3, layers: 1}\ntraining: {steps: 1, batch_tokens: 8}\n")
                    .contains("key 'model.d_model': a chart parser splits d_model into two halves; 33 is odd"))
        #expect(message("model: {d_model: 32, heads: 2, layers: 1, parser: cyk}\ntraining: {steps: 1, batch_tokens: 8}\n")
                    .contains("key 'model.parser': expected one of chart, seq2seq, found \"cyk\""))
        #expect(message("model: {stack: decoder-only, d_model: 32, heads: 2, layers: 1}\ntraining: {steps: 1, batch_tokens: 8}\n")
                    .contains("the parsing task needs stack encoder or encoder-decoder"))
        #expect(message("model: {parser: seq2seq, d_model: 32, heads: 2, layers: 1}\ntraining: {steps: 1, batch_tokens: 8}\n")
                    .contains("key 'model.parser': the seq2seq parser needs stack encoder-decoder, found encoder"))
    }
}
