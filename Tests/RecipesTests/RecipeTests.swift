import Foundation
import Recipes
import Tasks
import TestSupport
import Testing

@Suite struct RecipeTests {
    init() { TrainingFixtures.registerFamilies() }

    static let valid = """
        name: tiny-gpt
        task: language-model
        data:
          train: data/train.txt
          validation: data/valid.txt
        tokenizer:
          path: Tokenizers/tiny.model
          vocab_size: 500
        model:
          stack: decoder-only
          d_model: 64
          heads: 4
          layers: 2
          context: 32
        training:
          steps: 100
          batch_tokens: 2048
          learning_rate: 3e-4
          betas: [0.9, 0.95]
        evaluation:
          every: 50
        """

    /// Replaces the first line containing `old` by `new` (which may be several lines).
    static func variant(_ old: String, _ new: String) -> String {
        var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let i = lines.firstIndex { $0.contains(old) }!
        lines[i] = new
        return lines.joined(separator: "\n")
    }

    static func message(_ yaml: String) -> String {
        TrainingFixtures.errorMessage { try RecipeLoader.parse(yaml, file: "Recipes/tiny.yaml") }
    }

    @Test func validRecipeParsesWithDefaults() throws {
        let r = try RecipeLoader.parse(Self.valid, file: "Recipes/tiny.yaml")
        #expect(r.name == "tiny-gpt" && r.task == .languageModel)
        #expect(r.data.train == "data/train.txt" && r.data.validation == "data/valid.txt" && r.languageModel.documents == .line)
        #expect(r.tokenizer?.vocabSize == 500 && r.tokenizer?.modelType == "unigram" && r.tokenizer?.normalization == "nmt_nfkc")
        #expect(r.model.stack == .decoderOnly && r.model.decoderLayers == 2 && r.model.encoderLayers == 0 && r.model.context == 32)
        #expect(r.model.dropout == 0.1)
        #expect(r.training.steps == 100 && r.training.batchTokens == 2048 && r.training.learningRate == 3e-4)
        #expect(r.training.betas == [0.9, 0.95] && r.training.optimizer == .adamw && r.training.schedule == .cosine)
        #expect(r.training.accumulation == 1 && r.training.clip == 1 && r.training.seed == 0)
        #expect(r.evaluation.every == 50 && r.evaluation.batches == 20)
        #expect(r.checkpoint.every == 500 && r.checkpoint.keep == 1)
        #expect(r.exportName == "tiny-gpt")
        let c = r.model.transformerConfig(vocabSize: 500)
        #expect(c.dModel == 64 && c.heads == 4 && c.decoderLayers == 2 && c.ffnDim == 256 && c.maxLength == 32)
        #expect(c.normFirst && c.positional == .learned && c.activation == .geluTanh && c.tieOutput)
    }

    @Test func unknownKeyNamesFileLineAndKeyAndSuggests() {
        let m = Self.message(Self.variant("learning_rate", "  learning_rat: 3e-4"))
        #expect(m == "Recipes/tiny.yaml:18:3: key 'training.learning_rat': unknown key (did you mean 'learning_rate'?)")
    }

    @Test func unknownTopLevelKeyListsTheKnownOnes() {
        let m = Self.message(Self.valid + "\nextras: 3\n")
        #expect(m.hasPrefix("Recipes/tiny.yaml:22:1: key 'extras': unknown key (expected one of: name, task, data"), "\(m)")
    }

    @Test func wrongTypeNamesFileLineKeyAndValue() {
        #expect(Self.message(Self.variant("steps:", "  steps: abc"))
                == "Recipes/tiny.yaml:16:10: key 'training.steps': expected an integer at least 1, found \"abc\"")
        #expect(Self.message(Self.variant("d_model", "  d_model: [64]"))
                == "Recipes/tiny.yaml:11:12: key 'model.d_model': expected an integer in [1, 65536], found a list of 1 item")
        #expect(Self.message(Self.variant("betas", "  betas: [0.9, x]"))
                == "Recipes/tiny.yaml:19:16: key 'training.betas': expected a list of 2 numbers in [0, 1), found \"x\" in the list")
        #expect(Self.message(Self.variant("task:", "task: poetry"))
                == "Recipes/tiny.yaml:2:7: key 'task': expected one of image-classification, language-model, parsing, translation, found \"poetry\"")
        #expect(Self.message(Self.variant("data:", "data: data/train.txt").replacingOccurrences(of: "  train: data/train.txt\n  validation: data/valid.txt\n", with: ""))
                == "Recipes/tiny.yaml:3:7: key 'data': expected a mapping of keys to values, found \"data/train.txt\"")
    }

    @Test func missingKeyNamesTheSectionLineAndKey() {
        #expect(Self.message(Self.valid.replacingOccurrences(of: "  steps: 100\n", with: ""))
                == "Recipes/tiny.yaml:16:3: key 'training.steps': required key is missing")
        #expect(Self.message(Self.valid.replacingOccurrences(of: "  layers: 2\n", with: ""))
                == "Recipes/tiny.yaml:10:3: key 'model.layers': required key is missing")
        #expect(Self.message(Self.valid.replacingOccurrences(of: "name: tiny-gpt\n", with: ""))
                == "Recipes/tiny.yaml:1:1: key 'name': required key is missing")
    }

    @Test func outOfRangeAndInconsistentValuesAreErrors() {
        #expect(Self.message(Self.variant("context", "  context: 32\n  dropout: 1.5"))
                == "Recipes/tiny.yaml:15:12: key 'model.dropout': expected a number in [0, 1), found 1.5")
        #expect(Self.message(Self.variant("heads", "  heads: 3"))
                == "Recipes/tiny.yaml:12:10: key 'model.heads': d_model 64 is not divisible by heads 3")
        #expect(Self.message(Self.variant("stack", "  stack: encoder-decoder"))
                == "Recipes/tiny.yaml:10:10: key 'model.stack': the language-model task needs stack decoder-only, found encoder-decoder")
        #expect(Self.message(Self.variant("learning_rate", "  learning_rate: -1"))
                == "Recipes/tiny.yaml:18:18: key 'training.learning_rate': expected a number greater than 0, found -1")
        // The zoo's own limits: no run trains a model its export would refuse.
        #expect(Self.message(Self.variant("context", "  context: 1000000000"))
                == "Recipes/tiny.yaml:14:12: key 'model.context': expected an integer in [1, 65536], found 1000000000")
    }

    @Test func exportAverageNeedsTheCheckpointsItAverages() throws {
        let keeping = Self.valid + "\ncheckpoint:\n  every: 10\n  keep: 5\nexport:\n  average: 5\n"
        #expect(try RecipeLoader.parse(keeping, file: "Recipes/tiny.yaml").export.average == 5)
        #expect(try RecipeLoader.parse(Self.valid, file: "Recipes/tiny.yaml").export.average == 1)
        #expect(Self.message(keeping.replacingOccurrences(of: "keep: 5", with: "keep: 3"))
                == "Recipes/tiny.yaml:26:12: key 'export.average': averaging the last 5 checkpoints needs checkpoint.keep ≥ 5 (it is 3)")
        #expect(Self.message(keeping.replacingOccurrences(of: "every: 10", with: "every: 0"))
                == "Recipes/tiny.yaml:26:12: key 'export.average': averaging 5 checkpoints needs checkpoint.every > 0 (only the last step is saved)")
        #expect(Self.message(keeping.replacingOccurrences(of: "average: 5", with: "average: 0"))
                == "Recipes/tiny.yaml:26:12: key 'export.average': expected an integer at least 1, found 0")
    }

    @Test func yamlSyntaxErrorsHaveAPosition() {
        let m = Self.message(Self.variant("heads", "  heads: [4"))
        #expect(m.hasPrefix("Recipes/tiny.yaml:") && m.contains("YAML syntax error"), "\(m)")
        let dup = Self.message(Self.valid + "\nname: again\n")
        #expect(dup.contains("duplicated key 'name'"), "\(dup)")
    }

    @Test func missingFileIsOneLine() {
        let m = TrainingFixtures.errorMessage { try RecipeLoader.load(path: "Recipes/no-such-recipe.yaml") }
        #expect(m == "Recipes/no-such-recipe.yaml: no such file")
    }

    @Test func shippedRecipesAreValid() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Recipes")
        let gpt = try RecipeLoader.load(path: dir.appendingPathComponent("gpt-kjv.yaml").path)
        #expect(gpt.task == .languageModel && gpt.data.source == "kjv")
        let c = gpt.model.transformerConfig(vocabSize: gpt.tokenizer!.vocabSize)
        let parameters = c.vocabSize * c.dModel + c.maxLength * c.dModel + c.decoderLayers * (4 * c.dModel * c.dModel + 2 * c.dModel * c.ffnDim)
        #expect(parameters > 2_000_000 && parameters < 12_000_000, "\(parameters) parameters")
    }

    @Test func aKeyOfAnotherFamilyNamesThatFamily() {
        let lm = Self.variant("stack: decoder-only", "  stack: decoder-only\n  patch_size: 4")
        #expect(Self.message(lm).contains("key 'model.patch_size': 'patch_size' is for image-classification recipes"))
    }

    /// Training text is read as the commands read theirs: invalid UTF-8 is an error naming the
    /// line, not text a model would learn repaired.
    @Test func trainingTextWithInvalidUTF8IsOneLine() throws {
        let dir = try TrainingFixtures.temporaryDirectory("recipe-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("train.txt")
        try (Data("in the beginning\n".utf8) + Data([0x63, 0x61, 0x66, 0xE9, 0x0A])).write(to: file)
        #expect(TrainingFixtures.errorMessage { try RecipeRun.readText(file.path, builtIn: nil) } == "\(file.path):2: not valid UTF-8")
        try Data("in the beginning\ncafé\n".utf8).write(to: file)
        #expect(try RecipeRun.readText(file.path, builtIn: nil) == "in the beginning\ncafé\n")
    }
}
