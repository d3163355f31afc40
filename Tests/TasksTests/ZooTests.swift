import Foundation
import Layers
import Models
import ModelZoo
import Recipes
import Tasks
import Tensors
import TestSupport
import Testing
import Training

@Suite struct ZooTests {
    init() {
        TrainingFixtures.registerFamilies()
        CharacterTokenizer.register()
    }

    /// Writes the in-test corpus and a character tokenizer file into `dir`; returns a recipe over them.
    static func tinyRecipe(in dir: URL, steps: Int = 40) throws -> Recipe {
        let text = TrainingFixtures.text(TrainingFixtures.englishLines, repeats: 3)
        try Data(text.utf8).write(to: dir.appendingPathComponent("train.txt"))
        try Data(TrainingFixtures.text(Array(TrainingFixtures.englishLines.prefix(4)), repeats: 1).utf8)
            .write(to: dir.appendingPathComponent("valid.txt"))
        try Data(TrainingFixtures.alphabet.utf8).write(to: dir.appendingPathComponent("chars.txt"))
        let yaml = """
            name: tiny-gpt
            task: language-model
            data: {train: \(dir.path)/train.txt, validation: \(dir.path)/valid.txt}
            tokenizer: {path: \(dir.path)/chars.txt, kind: test-chars}
            model: {stack: decoder-only, d_model: 32, heads: 2, layers: 2, ffn: 64, context: 32, dropout: 0.0}
            training: {steps: \(steps), batch_tokens: 256, learning_rate: 3e-3, warmup: 4, seed: 3}
            evaluation: {every: 20, batches: 0}
            checkpoint: {every: 20}
            export: {prompt: "the ", sample_tokens: 20}
            """
        let file = dir.appendingPathComponent("tiny.yaml")
        try Data(yaml.utf8).write(to: file)
        return try RecipeLoader.load(path: file.path)
    }

    static func run(_ recipe: Recipe, zoo: URL, work: URL) throws -> RecipeRun.Result {
        var options = RecipeRun.Options(output: zoo.appendingPathComponent("tiny-gpt"), workDirectory: work)
        options.progress = .silent
        return try RecipeRun.run(recipe, options: options)
    }

    /// `zoo run` on a tiny recipe writes an entry with config, weights, tokenizer, card, log and
    /// plot; the index lists it with its metrics; `--model` finds it by name and by path, and the
    /// loaded model gives the trained model's logits.
    @Test func recipeRunExportsAnEntryThatListsAndLoads() throws {
        let dir = try TrainingFixtures.temporaryDirectory("zoo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo"), work = dir.appendingPathComponent("work")
        let result = try Self.run(try Self.tinyRecipe(in: dir), zoo: zoo, work: work)
        let entry = try #require(result.entry)

        let files = Set(try FileManager.default.contentsOfDirectory(atPath: entry.directory.path))
        #expect(files == ["config.json", "model.safetensors", "chars.txt", "card.md", "train.jsonl", "loss.svg"])
        #expect(entry.config.task == .languageModel && entry.config.tokenizer == .init(kind: "test-chars", files: ["chars.txt"]))
        let ppl = try #require(entry.config.metrics["val_ppl"])
        #expect(ppl > 1 && ppl < 30, "a character model of this text should beat uniform guessing over \(TrainingFixtures.alphabet.count) characters")
        #expect(entry.config.training.steps == 40 && entry.config.training.tokens == 40 * 256)

        let card = try #require(entry.card)
        #expect(card.hasPrefix("# tiny-gpt\n") && card.contains("validation perplexity") && card.contains(String(format: "%.2f", ppl)))
        #expect(card.contains("## Sample") && card.contains("> the ") && card.contains("## Recipe") && card.contains("wall time"))

        let registry = ZooRegistry(root: zoo)
        let listed = try registry.entries()
        #expect(listed.map(\.name) == ["tiny-gpt"] && listed[0].metrics == entry.config.metrics && listed[0].task == .languageModel)
        #expect(try registry.readIndex() == listed)
        let line = try JSONSerialization.jsonObject(with: Data(listed[0].jsonLine.utf8)) as? [String: Any]
        #expect(line?["name"] as? String == "tiny-gpt" && line?["task"] as? String == "language-model" && line?["metrics"] is [String: Any])

        #expect(try registry.resolve("tiny-gpt").directory.standardizedFileURL.path == entry.directory.standardizedFileURL.path)
        #expect(try registry.resolve(entry.directory.path).name == "tiny-gpt")
        let missing = TrainingFixtures.errorMessage { try registry.resolve("nope") }
        #expect(missing.hasPrefix("no model 'nope': ") && missing.contains("known: tiny-gpt"), "\(missing)")

        let (loaded, tokenizer) = try entry.loadLanguageModel()
        #expect(tokenizer.vocabularySize == TrainingFixtures.alphabet.count + 2)
        let trained = try GPT(entry.config.model).loaded(from: result.workDirectory)
        let ids = tokenizer.encode("the cat sat")
        let a = withoutGradients { loaded(ids, shape: [1, ids.count]).scalars }
        let b = withoutGradients { trained(ids, shape: [1, ids.count]).scalars }
        #expect(a == b)
    }

    /// `zoo run` stopped part-way and run again with `--resume` exports the same model as one run.
    @Test func recipeRunResumedExportsTheSameModel() throws {
        let dir = try TrainingFixtures.temporaryDirectory("resume-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let recipe = try Self.tinyRecipe(in: dir, steps: 30)
        let once = try #require(try Self.run(recipe, zoo: dir.appendingPathComponent("Zoo1"), work: dir.appendingPathComponent("w1")).entry)

        var options = RecipeRun.Options(output: dir.appendingPathComponent("Zoo2/tiny-gpt"), workDirectory: dir.appendingPathComponent("w2"))
        options.progress = .silent
        options.stopAfter = 13
        let stopped = try RecipeRun.run(recipe, options: options)
        #expect(stopped.entry == nil && stopped.summary.steps == 13)
        options.stopAfter = nil
        options.resume = true
        let resumed = try #require(try RecipeRun.run(recipe, options: options).entry)

        #expect(resumed.config.metrics == once.config.metrics)
        let a = try once.loadWeights(), b = try resumed.loadWeights()
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.allSatisfy { name, t in t.scalars == b[name]?.scalars })

        // Each card says how the run went: in one sitting, or resumed, and with the recipe it began with.
        #expect(once.config.training.resumedAt == nil && once.config.training.recipeChanges == [])
        #expect(once.card?.contains("| sittings | 1 (never resumed); the recipe below is the one it began with |") == true)
        #expect(resumed.config.training.resumedAt == [13] && resumed.config.training.recipeChanges == [])
        #expect(resumed.card?.contains("| sittings | 2 (resumed at step 13); the recipe below is the one it began with |") == true)
    }

    /// A run resumed after its recipe file was edited says so when it resumes and on its card;
    /// an edit to the comments alone is no change.
    @Test func recipeRunResumedWithAChangedRecipeSaysSo() throws {
        let dir = try TrainingFixtures.temporaryDirectory("resume-changed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let recipe = try Self.tinyRecipe(in: dir, steps: 24)
        var options = RecipeRun.Options(output: dir.appendingPathComponent("Zoo/tiny-gpt"), workDirectory: dir.appendingPathComponent("w"))
        options.progress = .silent
        options.stopAfter = 10
        _ = try RecipeRun.run(recipe, options: options)
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("w/recipe.yaml").path)
                == FileManager.default.contents(atPath: recipe.file))

        let text = try String(contentsOfFile: recipe.file, encoding: .utf8)
        try Data(("# commented\n" + text).utf8).write(to: URL(fileURLWithPath: recipe.file))
        #expect(StartingRecipe.changes(since: dir.appendingPathComponent("w"), now: StartingRecipe.text(of: recipe)) == [])
        try Data(text.replacingOccurrences(of: "steps: 24", with: "steps: 30").utf8).write(to: URL(fileURLWithPath: recipe.file))
        options.stopAfter = nil
        options.resume = true
        let entry = try #require(try RecipeRun.run(try RecipeLoader.load(path: recipe.file), options: options).entry)
        #expect(entry.config.training.steps == 30 && entry.config.training.resumedAt == [10])
        #expect(entry.config.training.recipeChanges == ["training.steps 24 → 30"])
        #expect(entry.card?.contains("| sittings | 2 (resumed at step 10); the recipe changed since the run began: training.steps 24 → 30 |") == true)
    }

    /// Fine-tuning a zoo model on a new text lowers its validation loss on that text.
    @Test func fineTuningLowersValidationLossOnTheNewText() throws {
        let dir = try TrainingFixtures.temporaryDirectory("finetune")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo")
        let base = try #require(try Self.run(try Self.tinyRecipe(in: dir), zoo: zoo, work: dir.appendingPathComponent("work")).entry)

        let data = dir.appendingPathComponent("counting.txt")
        try Data(TrainingFixtures.text(TrainingFixtures.countingLines, repeats: 1).utf8).write(to: data)
        var job = FineTuning(base: try ZooRegistry(root: zoo).resolve("tiny-gpt"), data: data.path, output: zoo.appendingPathComponent("tiny-counting"))
        job.steps = 30
        job.learningRate = 3e-3
        job.batchTokens = 256
        job.workDirectory = dir.appendingPathComponent("work-ft")
        job.progress = .silent
        let result = try job.run()

        let before = try #require(result.before["val_loss"]), after = try #require(result.after["val_loss"])
        #expect(after < before - 0.3, "validation loss \(before) → \(after)")
        let entry = try #require(result.entry)
        #expect(entry.config.training.finetunedFrom == "tiny-gpt" && entry.config.metrics["val_loss"] == after)
        #expect(entry.config.tokenizer == base.config.tokenizer)
        #expect(entry.card?.contains("validation perplexity before fine-tuning") == true)
        #expect(try ZooRegistry(root: zoo).entries().map(\.name) == ["tiny-counting", "tiny-gpt"])
        // The pretrained entry is untouched.
        #expect(try ZooEntry(directory: base.directory).config == base.config)
    }
}

extension GPT {
    /// This model with the weights of the checkpoint in `directory`.
    func loaded(from directory: URL) throws -> GPT {
        try load(Checkpoint(contentsOf: directory.appendingPathComponent(Checkpoint.fileName)).weights)
        setTraining(false)
        return self
    }
}
