import Foundation
import Data
import Layers
import Metrics
import Models
import ModelZoo
import Recipes
import Tensors
import Tokenization
import Training

// The translation recipe end to end: read and clean the parallel text, get the joint tokenizer
// (trained on both sides when the recipe's file does not exist yet), build the encoder–decoder,
// train, score the test set with beam search and sacreBLEU, export to the zoo.

extension TranslationTask {
    /// Runs a `translation` recipe; see `RecipeRun.run`.
    static func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        let tokenizerSection = try recipe.requiredTokenizer()
        let mt = recipe.translation
        let languages = mt.languages
        guard languages.count == 2 else { throw RecipeError(file: recipe.file, key: "data.languages", message: "required key is missing") }
        let files = try recipe.dataFiles(of: TranslationFamily())
        let trainPrefix = files.train
        let note = RecipeRun.noteFunction(options.progress)
        let direction = "\(languages[0])→\(languages[1])"

        // Sentence pairs.
        let read = try readSplit(trainPrefix, languages: languages, builtIn: recipe.data.source)
        let rules = CorpusCleaning(maxTokens: mt.maxWords, maxRatio: mt.maxRatio)
        var (trainPairs, report) = read.cleaned(rules)
        note("training pairs: \(report)")
        var validationPairs: ParallelCorpus
        var validationDescription: String
        if let prefix = files.validation {
            validationPairs = try readSplit(prefix, languages: languages, builtIn: recipe.data.source)
            validationDescription = prefix
        } else {
            let held: [SentencePair]
            (held, validationDescription) = try RecipeRun.holdOut(&trainPairs.pairs, fraction: recipe.data.validationSplit,
                                                                  what: "pair", from: trainPrefix)
            validationPairs = ParallelCorpus(pairs: held)
        }
        let testPrefix = files.test
        let testPairs = try testPrefix.map { try readSplit($0, languages: languages, builtIn: recipe.data.source) }

        // The joint tokenizer, trained on both sides.
        let (tokenizer, tokenizerFiles) = try RecipeRun.prepareTokenizer(
            tokenizerSection, trainingDocuments: trainPairs.sources + trainPairs.targets, source: "\(trainPrefix) (both sides)", note: note)
        guard let eos = tokenizer.endOfTextId else {
            throw TrainingError.badData(path: tokenizerSection.path, reason: "the tokenizer has no end-of-text token; translation needs one")
        }
        let bos = tokenizer.beginningOfTextId ?? eos
        let context = recipe.model.context
        let (train, longTrain) = examples(trainPairs, tokenizer: tokenizer, context: context)
        let (validation, longValidation) = examples(validationPairs, tokenizer: tokenizer, context: context)
        let trainTargetTokens = train.reduce(0) { $0 + $1.target.count + 1 }
        note("data: \(train.count) training pairs (\(longTrain) longer than the context of \(context) dropped), "
             + "\(trainTargetTokens) target tokens; \(validation.count) validation pairs"
             + (longValidation > 0 ? " (\(longValidation) too long dropped)" : ""))

        // Model and trainer.
        let t = recipe.training
        let config = recipe.model.transformerConfig(vocabSize: tokenizer.vocabularySize)
        let model = EncoderDecoder(config, seed: t.seed)
        note("model: \(ModelCard.count(model.parameterCount)) parameters (d_model \(config.dModel), \(config.heads) heads, "
             + "\(config.encoderLayers)+\(config.decoderLayers) layers, vocabulary \(config.vocabSize), \(direction))")
        let task = try TranslationTask(model: model, train: train, validation: validation, bos: bos, eos: eos,
                                       labelSmoothing: t.labelSmoothing, tokenizer: tokenizer)
        task.evaluationTokens = max(1, t.batchTokens / t.accumulation)
        if mt.bleu { task.validationTexts = (validationPairs.sources, validationPairs.targets) }
        let settings = TrainingSettings(recipe: recipe, options: options)
        let work = settings.directory
        let trainer = try Trainer(task: task, optimizers: t.makeOptimizers(parameters: model.parameters),
                                  schedule: t.makeSchedule(dModel: config.dModel, totalSteps: settings.steps), settings: settings)
        var summary = try trainer.run(resume: options.resume, stopAfter: options.stopAfter)
        guard summary.steps >= settings.steps, DataParallel.world.isPrimary else { return RecipeRun.Result(entry: nil, summary: summary, workDirectory: work) }
        let average = try RecipeRun.averageCheckpoints(recipe, trainer: trainer, summary: &summary, note: note)

        // The test set, with the decoder the zoo entry will use.
        var metrics = summary.validation
        var testLine: String?
        var samples: [(String, String, String)] = []
        var byLength: BLEUByLength?
        let beam = mt.beam, alpha = mt.lengthPenalty
        if let testPairs, let testPrefix, testPairs.count > 0 {
            note("translating the \(testPairs.count) test sentences of \(testPrefix) (beam \(beam), length penalty \(alpha))")
            let translator = Translator(model: model, tokenizer: tokenizer, beamSize: beam, lengthPenalty: alpha)
            let start = Date()
            let hypotheses = translator.translate(testPairs.sources, batchSize: 32)
            let seconds = Date().timeIntervalSince(start)
            let bleu = try BLEU().corpusScore(hypotheses: hypotheses, references: [testPairs.targets])
            let chrf = try ChrF().corpusScore(hypotheses: hypotheses, references: [testPairs.targets])
            metrics["test_bleu"] = bleu.score
            metrics["test_chrf"] = chrf.score
            testLine = "\(bleu.formatted()) — signature `\(bleu.signature.formatted())`; chrF2 = \(String(format: "%.1f", chrf.score)) "
                + "(\(testPairs.count) sentences of \(testPrefix), beam \(beam), α \(alpha), \(String(format: "%.1f", Double(testPairs.count) / seconds)) sentences/s)"
            note("test: \(bleu.formatted())")
            samples = (0..<min(mt.samples, testPairs.count)).map { (testPairs.sources[$0], testPairs.targets[$0], hypotheses[$0]) }
            byLength = try BLEUByLength(sources: testPairs.sources, references: testPairs.targets, hypotheses: hypotheses)
        }

        // Export.
        let export = RunExport(recipe: recipe, options: options)
        let dataDescription = recipe.data.source.map { "the built-in '\($0)' corpus (\(trainPrefix).{\(languages.joined(separator: ","))})" }
            ?? "\(trainPrefix).{\(languages.joined(separator: ","))}"
        var entryConfig = ZooEntryConfig(
            name: export.name, task: .translation, model: config,
            tokenizer: .init(kind: tokenizerSection.kind, files: try TokenizerRegistry.kind(tokenizerSection.kind).files),
            metrics: metrics,
            training: export.trainingInfo(data: dataDescription, summary: summary, parameters: model.parameterCount))
        entryConfig.languages = languages
        var card = ModelCard(title: export.name, summary: "Translation \(direction) with the encoder–decoder Transformer of \"Attention Is All You Need\" "
                             + "(\(ModelCard.count(model.parameterCount)) parameters)" + export.trainedBy)
        let m = config, info = entryConfig.training
        var facts: [(String, String)] = [
            ("task", entryConfig.task.rawValue),
            ("direction", direction),
            ("data", "\(info.data) (\(ModelCard.count(trainTargetTokens)) training tokens)"),
            ("validation", "\(validationDescription) (\(validation.count) pairs)"),
            ("tokenizer", "\(tokenizerSection.kind) (\(tokenizerSection.path)), \(tokenizer.vocabularySize) tokens, joint for both languages"),
            ("model", "encoder–decoder, d_model \(m.dModel), \(m.heads) heads, \(m.encoderLayers)+\(m.decoderLayers) layers, ffn \(m.ffnDim), "
                + "dropout \(m.dropout), \(m.activation.rawValue), \(m.positional.rawValue) positions, \(m.normFirst ? "pre-norm" : "post-norm"), "
                + "embeddings \(m.shareEmbeddings ? "shared" : "separate")\(m.tieOutput ? " and tied to the output" : ""); "
                + "\(ModelCard.count(model.parameterCount)) parameters"),
            ("training", RecipeRun.trainingDescription(t, steps: summary.steps)),
            ("tokens seen", ModelCard.count(info.tokens)),
            ("wall time", RecipeRun.wallTime(info, unit: "tokens")),
        ]
        if let loss = metrics["val_loss"] { facts.append(("validation loss", String(format: "%.4f nats/token", loss))) }
        if let ppl = metrics["val_ppl"] { facts.append(("validation perplexity", String(format: "%.2f", ppl))) }
        if let bleu = metrics["val_bleu"] { facts.append(("validation BLEU (greedy)", String(format: "%.2f", bleu))) }
        if let testLine { facts.append(("test BLEU", testLine)) }
        card.facts = facts
        if !samples.isEmpty {
            card.sample = ("The first \(samples.count) test sentences (source, reference, this model with beam \(beam)):",
                           samples.map { "\($0.0)\n  ref: \($0.1)\n  hyp: \($0.2)" }.joined(separator: "\n\n"))
        }
        let usage = ["echo \"\(samples.first?.0 ?? "In the beginning God created the heavens and the earth.")\" | zoo translate --model \(export.name)",
                     "zoo eval --model \(export.name) --src test.\(languages[0]) --ref test.\(languages[1])"]
        return try export.write(config: entryConfig, model: model, tokenizerFiles: tokenizerFiles, card: card, usage: usage,
                                appendix: byLength.map { "\n" + $0.markdown } ?? "", trainingFiles: [trainer.logURL, trainer.plotURL], summary: summary, average: average, workDirectory: work, note: note)
    }

    /// A split of a parallel corpus named by `prefix`: `prefix.tsv` (columns in `languages`
    /// order), WMT SGML `prefix.<lang>.sgm`, or plain `prefix.<lang>` files.
    public static func readSplit(_ prefix: String, languages: [String], builtIn: String?) throws -> ParallelCorpus {
        let fm = FileManager.default
        if prefix.hasSuffix(".tsv") { return try ParallelCorpus.readTSV(prefix) }
        let (s, t) = ("\(prefix).\(languages[0])", "\(prefix).\(languages[1])")
        if !fm.fileExists(atPath: s) && fm.fileExists(atPath: s + ".sgm") {
            return try ParallelCorpus.readSGML(source: s + ".sgm", target: t + ".sgm")
        }
        if let builtIn, !fm.fileExists(atPath: s) {
            throw TrainingError.badData(path: s, reason: "no such file (the built-in '\(builtIn)' corpus: run `make data` to extract it)")
        }
        return try ParallelCorpus.read(source: s, target: t)
    }

    /// The pairs as ids (encoded on every core), without those too long for `context` positions.
    static func examples(_ corpus: ParallelCorpus, tokenizer: any TextTokenizer, context: Int) -> (kept: [Example], dropped: Int) {
        let sources = encodeAll(corpus.sources, tokenizer: tokenizer), targets = encodeAll(corpus.targets, tokenizer: tokenizer)
        let all = zip(sources, targets).map { Example(source: $0, target: $1) }
        let kept = all.filter { width($0) <= context }
        return (kept, all.count - kept.count)
    }

    static func encodeAll(_ texts: [String], tokenizer: any TextTokenizer) -> [[Int32]] {
        Parallel.map(texts) { tokenizer.encode($0) }
    }
}
