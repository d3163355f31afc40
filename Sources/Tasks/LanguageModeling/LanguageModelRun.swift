import Foundation
import Layers
import Models
import ModelZoo
import Recipes
import Tokenization
import Training

// The language-model recipe end to end: read the text, get the tokenizer (training and saving
// one when the recipe's file does not exist yet), build the GPT, train, export to the zoo.

extension LanguageModelTask {
    /// Runs a `language-model` recipe; see `RecipeRun.run`.
    static func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        let tokenizerSection = try recipe.requiredTokenizer()
        let files = try recipe.dataFiles(of: LanguageModelFamily())
        let trainPath = files.train
        let note = RecipeRun.noteFunction(options.progress)
        let lm = recipe.languageModel

        // Documents.
        let unit = lm.documents
        var trainDocuments = documents(in: try RecipeRun.readText(trainPath, builtIn: recipe.data.source), unit: unit)
        var validationDocuments: [String]
        var validationDescription: String
        if let validationPath = files.validation {
            validationDocuments = documents(in: try RecipeRun.readText(validationPath, builtIn: recipe.data.source), unit: unit)
            validationDescription = validationPath
        } else {
            (validationDocuments, validationDescription) = try RecipeRun.holdOut(&trainDocuments, fraction: recipe.data.validationSplit,
                                                                                 what: "document", from: trainPath)
        }
        guard !trainDocuments.isEmpty else { throw TrainingError.badData(path: trainPath, reason: "no text") }

        // Tokenizer and token streams.
        let (tokenizer, tokenizerFiles) = try RecipeRun.prepareTokenizer(tokenizerSection, trainingDocuments: trainDocuments,
                                                                         source: trainPath, note: note)
        let trainTokens = tokens(of: trainDocuments, tokenizer: tokenizer)
        let validationTokens = tokens(of: validationDocuments, tokenizer: tokenizer)
        note("data: \(trainDocuments.count) documents, \(trainTokens.count) tokens for training; "
             + "\(validationDocuments.count) documents, \(validationTokens.count) tokens for validation")

        // Model and trainer.
        let t = recipe.training
        let config = recipe.model.transformerConfig(vocabSize: tokenizer.vocabularySize)
        let model = GPT(config, seed: t.seed)
        note("model: \(ModelCard.count(model.parameterCount)) parameters (d_model \(config.dModel), \(config.heads) heads, "
             + "\(config.decoderLayers) layers, context \(config.maxLength), vocabulary \(config.vocabSize))")
        let microTokens = max(1, t.batchTokens / t.accumulation)
        let task = try LanguageModelTask(model: model, trainTokens: trainTokens, validationTokens: validationTokens,
                                         labelSmoothing: t.labelSmoothing,
                                         evaluationRows: max(1, microTokens / min(config.maxLength, trainTokens.count - 1)))
        let settings = TrainingSettings(recipe: recipe, options: options)
        let work = settings.directory
        let trainer = try Trainer(task: task, optimizers: t.makeOptimizers(parameters: model.parameters),
                                  schedule: t.makeSchedule(dModel: config.dModel, totalSteps: settings.steps), settings: settings)
        var summary = try trainer.run(resume: options.resume, stopAfter: options.stopAfter)
        guard summary.steps >= settings.steps, DataParallel.world.isPrimary else { return RecipeRun.Result(entry: nil, summary: summary, workDirectory: work) }
        let average = try RecipeRun.averageCheckpoints(recipe, trainer: trainer, summary: &summary, note: note)

        // Export.
        let export = RunExport(recipe: recipe, options: options)
        let dataDescription = recipe.data.source.map { "the built-in '\($0)' corpus (\(trainPath))" } ?? trainPath
        let entryConfig = ZooEntryConfig(
            name: export.name, task: .languageModel, model: config,
            tokenizer: .init(kind: tokenizerSection.kind, files: try TokenizerRegistry.kind(tokenizerSection.kind).files),
            metrics: summary.validation,
            training: export.trainingInfo(data: dataDescription, summary: summary, parameters: model.parameterCount))
        var card = ModelCard(title: export.name, summary: "A GPT-style language model (decoder-only Transformer, "
                             + "\(ModelCard.count(model.parameterCount)) parameters)" + export.trainedBy)
        card.facts = facts(config: entryConfig, trainTokens: trainTokens.count, validation: "\(validationDescription) (\(validationTokens.count) tokens)",
                           tokenizer: "\(tokenizerSection.kind) (\(tokenizerSection.path)), \(tokenizer.vocabularySize) tokens",
                           training: RecipeRun.trainingDescription(t, steps: summary.steps))
        card.sample = sample(model: model, tokenizer: tokenizer, prompt: lm.prompt, tokens: lm.sampleTokens)
        return try export.write(config: entryConfig, model: model, tokenizerFiles: tokenizerFiles, card: card,
                                usage: usage(name: export.name), trainingFiles: [trainer.logURL, trainer.plotURL],
                                summary: summary, average: average, workDirectory: work, note: note)
    }

    // MARK: - The card

    static func facts(config: ZooEntryConfig, trainTokens: Int, validation: String, tokenizer: String,
                      training: String) -> [(String, String)] {
        let m = config.model, info = config.training
        var rows: [(String, String)] = [
            ("task", config.task.rawValue),
            ("data", "\(info.data) (\(ModelCard.count(trainTokens)) training tokens)"),
            ("validation", validation),
            ("tokenizer", tokenizer),
            ("model", "decoder-only, d_model \(m.dModel), \(m.heads) heads, \(m.decoderLayers) layers, ffn \(m.ffnDim), "
                + "context \(m.maxLength), dropout \(m.dropout), \(m.activation.rawValue), \(m.positional.rawValue) positions, "
                + "\(m.normFirst ? "pre-norm" : "post-norm")\(m.tieOutput ? ", tied output" : ""); \(ModelCard.count(info.parameters)) parameters"),
            ("training", training),
            ("tokens seen", ModelCard.count(info.tokens)),
            ("wall time", RecipeRun.wallTime(info, unit: "tokens")),
        ]
        if let from = info.finetunedFrom { rows.insert(("fine-tuned from", from), at: 1) }
        if let loss = config.metrics["val_loss"] { rows.append(("validation loss", String(format: "%.4f nats/token", loss))) }
        if let ppl = config.metrics["val_ppl"] { rows.append(("validation perplexity", String(format: "%.2f", ppl))) }
        return rows
    }

    /// A sample for the card: top-p 0.9 at temperature 0.8, seed 0.
    static func sample(model: GPT, tokenizer: any TextTokenizer, prompt: String, tokens: Int) -> (how: String, text: String)? {
        guard tokens > 0 else { return nil }
        let generator = TextGenerator(model: model, tokenizer: tokenizer)
        var options = TextGenerator.Options(maxTokens: tokens, sampling: SamplingOptions(temperature: 0.8, topP: 0.9), seed: 0)
        options.stopAtEndOfText = false
        let text = model.evaluating { generator.generate([prompt], options: options).first?.text ?? "" }
        let how = prompt.isEmpty ? "Unprompted, \(tokens) tokens, temperature 0.8, top-p 0.9, seed 0:"
                                 : "Prompt \"\(prompt)\", \(tokens) tokens, temperature 0.8, top-p 0.9, seed 0:"
        return (how, prompt + text)
    }

    static func usage(name: String) -> [String] {
        ["zoo generate --model \(name) --prompt \"In the beginning\" --max-tokens 100 --top-p 0.9",
         "zoo finetune --model \(name) --data my.txt --steps 500 --out Zoo/my-\(name)"]
    }
}
