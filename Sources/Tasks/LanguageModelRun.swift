import Foundation
import Layers
import Tokenization

// The language-model recipe end to end: read the text, get the tokenizer (training and saving
// one when the recipe's file does not exist yet), build the GPT, train, export to the zoo.

extension LanguageModelTask {
    /// Runs a `language-model` recipe; see `RecipeRun.run`.
    static func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        guard let tokenizerSection = recipe.tokenizer else {
            throw RecipeError(file: recipe.file, key: "tokenizer", message: "required key is missing")
        }
        let files = recipe.data.resolvedFiles
        guard let trainPath = files.train else { throw RecipeError(file: recipe.file, key: "data.train", message: "required key is missing") }
        let note = RecipeRun.noteFunction(options.progress)

        // Documents.
        let unit = recipe.data.documents
        var trainDocuments = documents(in: try RecipeRun.readText(trainPath, builtIn: recipe.data.source), unit: unit)
        var validationDocuments: [String]
        var validationDescription: String
        if let validationPath = files.validation {
            validationDocuments = documents(in: try RecipeRun.readText(validationPath, builtIn: recipe.data.source), unit: unit)
            validationDescription = validationPath
        } else {
            let held = max(1, Int((Double(trainDocuments.count) * recipe.data.validationSplit).rounded()))
            guard trainDocuments.count > held else {
                throw TrainingError.badData(path: trainPath, reason: "\(trainDocuments.count) document(s) are too few to hold out \(held) for validation")
            }
            validationDocuments = Array(trainDocuments.suffix(held))
            trainDocuments.removeLast(held)
            validationDescription = "the last \(held) documents of \(trainPath)"
        }
        guard !trainDocuments.isEmpty else { throw TrainingError.badData(path: trainPath, reason: "no text") }

        // Tokenizer and token streams.
        let (tokenizer, tokenizerFiles) = try prepareTokenizer(tokenizerSection, trainingDocuments: trainDocuments,
                                                               source: trainPath, note: note)
        let trainTokens = tokens(of: trainDocuments, tokenizer: tokenizer)
        let validationTokens = tokens(of: validationDocuments, tokenizer: tokenizer)
        note("data: \(trainDocuments.count) documents, \(trainTokens.count) tokens for training; "
             + "\(validationDocuments.count) documents, \(validationTokens.count) tokens for validation")

        // Model and trainer.
        let t = recipe.training
        let config = recipe.model.transformerConfig(vocabSize: tokenizer.vocabularySize)
        let model = LanguageModel(config, seed: t.seed)
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
        let summary = try trainer.run(resume: options.resume, stopAfter: options.stopAfter)
        guard summary.steps >= settings.steps else { return RecipeRun.Result(entry: nil, summary: summary, workDirectory: work) }

        // Export.
        let output = (options.output ?? ZooRegistry.defaultRoot.appendingPathComponent(recipe.exportName)).standardizedFileURL
        let name = output.lastPathComponent
        let dataDescription = recipe.data.source.map { "the built-in '\($0)' corpus (\(trainPath))" } ?? trainPath
        let entryConfig = ZooEntryConfig(
            name: name, task: .languageModel, model: config,
            tokenizer: .init(kind: tokenizerSection.kind, files: try TokenizerRegistry.kind(tokenizerSection.kind).files),
            metrics: summary.validation,
            training: .init(recipe: recipe.file.isEmpty ? nil : recipe.file, data: dataDescription, steps: summary.steps,
                            tokens: summary.tokens, wallSeconds: summary.wallSeconds, parameters: model.parameterCount))
        var card = ModelCard(title: name, summary: "A GPT-style language model (decoder-only Transformer, \(ModelCard.count(model.parameterCount)) parameters)"
                             + (recipe.file.isEmpty ? "." : ", trained by `zoo run \(recipe.file)`."))
        card.facts = facts(config: entryConfig, trainTokens: trainTokens.count, validation: "\(validationDescription) (\(validationTokens.count) tokens)",
                           tokenizer: "\(tokenizerSection.kind) (\(tokenizerSection.path)), \(tokenizer.vocabularySize) tokens",
                           training: trainingDescription(t, steps: summary.steps))
        card.sample = sample(model: model, tokenizer: tokenizer, prompt: recipe.export.prompt, tokens: recipe.export.sampleTokens)
        card.recipe = recipe.file.isEmpty ? nil : try? String(contentsOfFile: recipe.file, encoding: .utf8)
        card.usage = usage(name: name, recipe: recipe.file.isEmpty ? nil : recipe.file)
        card.hasLossPlot = FileManager.default.fileExists(atPath: trainer.plotURL.path)
        let export = ZooExport(config: entryConfig, weights: model.namedTensors.map { ($0.name, $0.tensor) },
                               tokenizerFiles: tokenizerFiles, card: card.markdown, extraFiles: [trainer.logURL, trainer.plotURL])
        let entry = try ZooRegistry.export(export, to: output)
        note("exported \(output.relativePath): " + summary.validation.keys.sorted().map { "\($0) \(String(format: "%.4f", summary.validation[$0]!))" }.joined(separator: ", "))
        return RecipeRun.Result(entry: entry, summary: summary, workDirectory: work)
    }

    /// The recipe's tokenizer: loaded when its file exists; otherwise (SentencePiece only) trained
    /// on `trainingDocuments` with the recipe's settings and saved there first.
    static func prepareTokenizer(_ section: Recipe.TokenizerSection, trainingDocuments: [String], source: String,
                                 note: (String) -> Void) throws -> (any TextTokenizer, [URL]) {
        if !FileManager.default.fileExists(atPath: section.path) {
            guard section.kind == "sentencepiece" else {
                throw TrainingError.badData(path: section.path, reason: "no such \(section.kind) tokenizer (only sentencepiece tokenizers are trained by recipes)")
            }
            var options = TrainerOptions(vocabSize: section.vocabSize, modelType: section.modelType == "bpe" ? .bpe : .unigram)
            options.characterCoverage = section.characterCoverage
            options.normalizationRuleName = section.normalization
            options.byteFallback = section.byteFallback
            note("training a \(section.modelType) tokenizer of \(section.vocabSize) pieces on \(source) → \(section.path)")
            let start = Date()
            let model: ModelProto
            do {
                model = try SentencePieceTrainer.train(sentences: trainingDocuments, options: options)
            } catch {
                throw TrainingError.badData(path: source, reason: "cannot train the tokenizer: \(error)")
            }
            let directory = URL(fileURLWithPath: section.path).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try model.write(to: section.path)
            } catch {
                throw TrainingError.cannotWrite(path: section.path, reason: "\(error)")
            }
            note("tokenizer trained in \(ProgressBar.duration(Date().timeIntervalSince(start)))")
        }
        let (tokenizer, files) = try TokenizerRegistry.load(section.kind, path: section.path)
        return (tokenizer, files)
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
            ("wall time", "\(ProgressBar.duration(info.wallSeconds)) on \(ProcessInfo.processInfo.activeProcessorCount) cores "
                + "(\(ModelCard.count(Int(Double(info.tokens) / max(info.wallSeconds, 1e-9)))) tokens/s overall)"),
        ]
        if let from = info.finetunedFrom { rows.insert(("fine-tuned from", from), at: 1) }
        if let loss = config.metrics["val_loss"] { rows.append(("validation loss", String(format: "%.4f nats/token", loss))) }
        if let ppl = config.metrics["val_ppl"] { rows.append(("validation perplexity", String(format: "%.2f", ppl))) }
        return rows
    }

    static func trainingDescription(_ t: Recipe.TrainingSection, steps: Int) -> String {
        let optimizer = t.optimizer == .adamw ? "AdamW" : t.optimizer == .adam ? "Adam" : "SGD"
        var s = "\(steps) steps × \(ModelCard.count(t.batchTokens)) tokens"
        if t.accumulation > 1 { s += " (\(t.accumulation) micro-batches)" }
        s += ", \(optimizer) lr \(t.learningRate)"
        if t.optimizer != .sgd { s += " betas (\(t.betas[0]), \(t.betas[1]))" }
        s += ", weight decay \(t.weightDecay ?? (t.optimizer == .adamw ? 0.01 : 0))"
        s += ", \(t.schedule.rawValue) schedule, \(t.warmup) warm-up steps"
        if t.clip > 0 { s += ", clip \(t.clip)" }
        if t.labelSmoothing > 0 { s += ", label smoothing \(t.labelSmoothing)" }
        return s + ", seed \(t.seed)"
    }

    /// A sample for the card: top-p 0.9 at temperature 0.8, seed 0.
    static func sample(model: LanguageModel, tokenizer: any TextTokenizer, prompt: String, tokens: Int) -> (how: String, text: String)? {
        guard tokens > 0 else { return nil }
        let generator = TextGenerator(model: model, tokenizer: tokenizer)
        var options = TextGenerator.Options(maxTokens: tokens, sampling: SamplingOptions(temperature: 0.8, topP: 0.9), seed: 0)
        options.stopAtEndOfText = false
        let text = generator.generate([prompt], options: options).first?.text ?? ""
        model.setTraining(false)
        let how = prompt.isEmpty ? "Unprompted, \(tokens) tokens, temperature 0.8, top-p 0.9, seed 0:"
                                 : "Prompt \"\(prompt)\", \(tokens) tokens, temperature 0.8, top-p 0.9, seed 0:"
        return (how, prompt + text)
    }

    static func usage(name: String, recipe: String?) -> [String] {
        var lines = ["zoo generate --model \(name) --prompt \"In the beginning\" --max-tokens 100 --top-p 0.9",
                     "zoo finetune --model \(name) --data my.txt --steps 500 --out Zoo/my-\(name)"]
        if let recipe { lines.insert("zoo run \(recipe)        # retrain", at: 0) }
        return lines
    }
}
