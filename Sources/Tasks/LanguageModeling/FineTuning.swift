import Foundation
import Layers
import Models
import ModelZoo
import Recipes
import Tokenization
import Training

/// `zoo finetune`: continues training a zoo language model on a text file, keeping its tokenizer,
/// and exports the result as a new entry whose card records the validation perplexity before and
/// after. The file's last 10% of lines (or of tokens, for fewer than 10 lines) is held out.
public struct FineTuning {
    /// The pretrained entry.
    public var base: ZooEntry
    /// UTF-8 text, one document a line.
    public var data: String
    public var output: URL
    public var steps = 500
    /// Peak learning rate (AdamW, cosine decay to a tenth, warm-up over the first 10% of steps).
    public var learningRate: Float = 1e-4
    /// Tokens per step; default 16 windows of the model's context, at most 8192 tokens.
    public var batchTokens: Int?
    public var seed: UInt64 = 0
    /// Default `.runs/finetune-<output name>`.
    public var workDirectory: URL?
    public var resume = false
    public var progress: ProgressBar.Style?
    /// Evaluate every this many steps (and after the last); default a fifth of the run.
    public var evaluationEvery: Int?
    /// Stop (with a checkpoint, without exporting) after this many steps.
    public var stopAfter: Int?
    /// Ctrl-C checkpoints and stops cleanly.
    public var checkpointOnInterrupt = true
    /// Replace an entry already at `output` (`--force`); the base entry itself is never replaced.
    public var force = false

    public init(base: ZooEntry, data: String, output: URL) {
        self.base = base
        self.data = data
        self.output = output
    }

    /// What a fine-tuning run made and measured.
    public struct Result {
        /// The new entry (nil when stopped early at `stopAfter`).
        public var entry: ZooEntry?
        /// Held-out metrics of the pretrained model and of the fine-tuned one.
        public var before: [String: Double]
        public var after: [String: Double]
        public var summary: TrainingSummary
    }

    /// Trains and exports; an `output` that exists (without `force`) or is the base entry is an
    /// error before anything is read or trained.
    public func run() throws -> Result {
        try ProtectedOutput.check(output, force: force, source: base.directory, sourceName: base.name)
        try base.requireFullPrecision(for: "fine-tuning")
        let (model, tokenizer) = try base.loadLanguageModel(seed: seed)

        let text = try RecipeRun.readText(data, builtIn: nil)
        let lines = LanguageModelTask.documents(in: text, unit: .line)
        guard !lines.isEmpty else { throw TrainingError.badData(path: data, reason: "no text to fine-tune on") }
        var trainTokens: [Int32], validationTokens: [Int32]
        if lines.count >= 10 {
            let held = lines.count / 10
            trainTokens = LanguageModelTask.tokens(of: Array(lines.dropLast(held)), tokenizer: tokenizer)
            validationTokens = LanguageModelTask.tokens(of: Array(lines.suffix(held)), tokenizer: tokenizer)
        } else {
            let all = LanguageModelTask.tokens(of: lines, tokenizer: tokenizer)
            let cut = all.count - max(2, all.count / 10)
            trainTokens = Array(all[..<max(cut, 0)])
            validationTokens = Array(all[max(cut, 0)...])
        }
        guard trainTokens.count >= 4 else {
            throw TrainingError.badData(path: data, reason: "\(trainTokens.count + validationTokens.count) tokens are too little text to fine-tune on")
        }

        let context = min(model.config.maxLength, trainTokens.count - 1)
        let tokensPerStep = batchTokens ?? min(8192, 16 * context)
        var training = Recipe.TrainingSection(steps: steps, batchTokens: tokensPerStep)
        training.learningRate = learningRate
        training.minLearningRate = learningRate / 10
        training.warmup = steps / 10
        training.seed = seed
        let task = try LanguageModelTask(model: model, trainTokens: trainTokens, validationTokens: validationTokens,
                                         evaluationRows: max(1, tokensPerStep / context))
        let name = output.standardizedFileURL.lastPathComponent
        var settings = TrainingSettings(steps: steps, batchTokens: tokensPerStep,
                                        directory: workDirectory ?? RecipeRun.defaultWorkDirectory("finetune-\(name)"))
        settings.seed = seed
        settings.evaluationEvery = evaluationEvery ?? max(1, steps / 5)
        settings.evaluationBatches = 50  // up to 50 × rows windows of the held-out text
        settings.checkpointEvery = max(1, steps / 5)
        settings.progress = progress
        settings.checkpointOnInterrupt = checkpointOnInterrupt
        settings.title = "\(name): fine-tuning loss"
        let trainer = try Trainer(task: task, optimizers: training.makeOptimizers(parameters: model.parameters),
                                  schedule: training.makeSchedule(dModel: model.config.dModel, totalSteps: steps), settings: settings)
        let before = DataParallel.world.isPrimary ? trainer.evaluate() : [:]
        let summary = try trainer.run(resume: resume, stopAfter: stopAfter)
        guard summary.steps >= steps, DataParallel.world.isPrimary else { return Result(entry: nil, before: before, after: summary.validation, summary: summary) }

        let after = summary.validation
        let entryConfig = ZooEntryConfig(
            name: name, task: .languageModel, model: model.config, tokenizer: base.config.tokenizer, metrics: after,
            training: .init(recipe: nil, data: data, steps: summary.steps, tokens: summary.tokens, wallSeconds: summary.wallSeconds,
                            parameters: model.parameterCount, finetunedFrom: base.name, ranks: summary.ranks,
                            machine: Machine.summary))
        var card = ModelCard(title: name, summary: "`\(base.name)` fine-tuned on `\(data)` for \(summary.steps) steps "
                             + "by `zoo finetune`; its tokenizer is \(base.name)'s.")
        let validationText = "the last 10% of \(data) (\(validationTokens.count) tokens)"
        card.facts = LanguageModelTask.facts(config: entryConfig, trainTokens: trainTokens.count, validation: validationText,
                                             tokenizer: "\(base.config.tokenizer.kind), \(tokenizer.vocabularySize) tokens (from \(base.name))",
                                             training: RecipeRun.trainingDescription(training, steps: summary.steps))
        if let b = before["val_ppl"], let a = after["val_ppl"] {
            card.facts.append(("validation perplexity before fine-tuning", String(format: "%.2f (now %.2f)", b, a)))
        }
        let prompt = lines.last.map { String($0.split(separator: " ").prefix(3).joined(separator: " ")) } ?? ""
        card.sample = LanguageModelTask.sample(model: model, tokenizer: tokenizer, prompt: prompt, tokens: 60)
        card.usage = LanguageModelTask.usage(name: name)
        card.hasLossPlot = FileManager.default.fileExists(atPath: trainer.plotURL.path)
        let files = base.config.tokenizer.files.map { base.directory.appendingPathComponent($0) }
        let export = ZooExport(config: entryConfig, weights: model.namedTensors.map { ($0.name, $0.tensor) },
                               tokenizerFiles: files, card: card.markdown, extraFiles: [trainer.logURL, trainer.plotURL])
        let entry = try ZooRegistry.export(export, to: output)
        return Result(entry: entry, before: before, after: after, summary: summary)
    }
}
