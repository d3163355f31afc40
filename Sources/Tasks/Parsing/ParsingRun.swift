import Data
import Foundation
import Layers
import Models
import ModelZoo
import Recipes
import Tokenization
import Training

// The parsing recipe end to end: read and normalize the treebank, get the tokenizer (trained on
// the training sentences when the recipe's file does not exist yet), build the chart parser over
// the shared encoder, train, score the test trees, export to the zoo with a card.

enum ParsingRun {
    static func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        let tokenizerSection = try recipe.requiredTokenizer()
        let files = try recipe.dataFiles(of: ParsingFamily())
        let trainPath = files.train
        let note = RecipeRun.noteFunction(options.progress)
        let p = recipe.parsing

        // Trees.
        func read(_ path: String) throws -> [ParseTree] {
            if recipe.data.source != nil && !FileManager.default.fileExists(atPath: path) {
                // The Makefile's variable is the source's name: `make data CRAFT=DIR`, `make data WSJ=DIR`.
                let source = recipe.data.source!
                throw TrainingError.badData(path: path, reason: "no such file (the built-in '\(source)' treebank: run `make data \(source.uppercased())=DIR` to extract it)")
            }
            return try Treebank.read(path: path).compactMap(Treebank.normalized)
        }
        var trainTrees = try read(trainPath)
        var validationTrees: [ParseTree]
        let validationDescription: String
        if let path = files.validation {
            validationTrees = try read(path)
            validationDescription = path
        } else {
            (validationTrees, validationDescription) = try RecipeRun.holdOut(&trainTrees, fraction: recipe.data.validationSplit,
                                                                             what: "tree", from: trainPath)
        }
        let testPath = files.test
        let testTrees = try testPath.map(read)

        // Tokenizer, labels, examples.
        let (tokenizer, tokenizerFiles) = try RecipeRun.prepareTokenizer(
            tokenizerSection, trainingDocuments: trainTrees.map { $0.words.joined(separator: " ") }, source: trainPath, note: note)
        let data = Treebanks(train: trainTrees, validation: validationTrees, validationDescription: validationDescription,
                             test: testTrees, testPath: testPath, trainPath: trainPath, credit: files.builtIn?.credit,
                             compared: try comparisons(p.compareWith, recipe: recipe))
        if p.parser == .seq2seq {
            return try Seq2SeqParsingRun.run(recipe, options: options, data: data, tokenizer: tokenizer, tokenizerFiles: tokenizerFiles, note: note)
        }
        let labelNames = ["∅"] + Set(trainTrees.flatMap { SpanLabels.spans(of: $0).map(\.label) }).sorted()
        let tagNames = Set(trainTrees.flatMap(\.tags)).sorted()
        let labels = Dictionary(uniqueKeysWithValues: labelNames.enumerated().map { ($1, Int32($0)) })
        let tags = Dictionary(uniqueKeysWithValues: tagNames.enumerated().map { ($1, Int32($0)) })
        var encoderConfig = recipe.model.transformerConfig(vocabSize: tokenizer.vocabularySize)
        encoderConfig.decoderLayers = 0
        let context = encoderConfig.maxLength
        func examples(_ trees: [ParseTree]) -> (kept: [ChartParsingTask.Example], dropped: Int) {
            let all = Parallel.map(trees) { ChartParsingTask.example($0, tokenizer: tokenizer, labels: labels, tags: tags) }
            let kept = all.filter { $0.pieces.count <= context && !$0.words.isEmpty }
            return (kept, all.count - kept.count)
        }
        let (train, longTrain) = examples(trainTrees), (validation, longValidation) = examples(validationTrees)
        note("data: \(train.count) training trees (\(longTrain) longer than the context of \(context) pieces dropped), "
             + "\(train.reduce(0) { $0 + $1.words.count }) words; \(validation.count) validation trees"
             + (longValidation > 0 ? " (\(longValidation) too long dropped)" : "")
             + "; \(labelNames.count - 1) span labels, \(tagNames.count) tags")

        // Model and trainer.
        let t = recipe.training
        let config = ChartParserConfig(encoder: encoderConfig, labels: labelNames, tags: tagNames, spanHidden: p.spanHidden)
        let model = ChartParser(config, seed: t.seed)
        note("model: \(ModelCard.count(model.parameterCount)) parameters (chart parser, d_model \(encoderConfig.dModel), "
             + "\(encoderConfig.heads) heads, \(encoderConfig.encoderLayers) layers, span MLP \(p.spanHidden))")
        let task = try ChartParsingTask(model: model, train: train, validation: validation,
                                        pad: tokenizer.endOfTextId ?? 0, tagLossWeight: p.tagLossWeight)
        task.evaluationTokens = max(1, t.batchTokens / t.accumulation)
        var settings = TrainingSettings(recipe: recipe, options: options)
        settings.rateUnit = "word"
        let work = settings.directory
        let trainer = try Trainer(task: task, optimizers: t.makeOptimizers(parameters: model.parameters),
                                  schedule: t.makeSchedule(dModel: encoderConfig.dModel, totalSteps: settings.steps), settings: settings)
        var summary = try trainer.run(resume: options.resume, stopAfter: options.stopAfter)
        guard summary.steps >= settings.steps, DataParallel.world.isPrimary else { return RecipeRun.Result(entry: nil, summary: summary, workDirectory: work) }
        let average = try RecipeRun.averageCheckpoints(recipe, trainer: trainer, summary: &summary, note: note)

        let e = encoderConfig
        let modelFact = "chart parser (Kitaev & Klein 2018): encoder d_model \(e.dModel), \(e.heads) heads, \(e.encoderLayers) layers, "
            + "ffn \(e.ffnDim), dropout \(e.dropout), \(e.positional.rawValue) positions, \(e.normFirst ? "pre-norm" : "post-norm"); "
            + "span MLP \(p.spanHidden), \(labelNames.count - 1) span labels, \(tagNames.count) tags; CKY decoding; "
            + "\(ModelCard.count(model.parameterCount)) parameters"
        return try finish(recipe, options: options, data: data, parser: Parser(chart: model, tokenizer: tokenizer), weights: model,
                          modelConfig: encoderConfig, configure: { $0.parser = config },
                          summaryLine: "A constituency parser (chart parser over the Transformer encoder, \(ModelCard.count(model.parameterCount)) parameters)",
                          modelFact: modelFact, trainCount: train.count, validationCount: validation.count,
                          tokenizerSection: tokenizerSection, tokenizer: tokenizer, tokenizerFiles: tokenizerFiles,
                          summary: summary, average: average, trainingFiles: [trainer.logURL, trainer.plotURL], work: work, note: note)
    }

    /// The treebank a run trains, selects and tests on, as read and normalized.
    struct Treebanks {
        var train: [ParseTree]
        var validation: [ParseTree]
        var validationDescription: String
        var test: [ParseTree]?
        var testPath: String?
        var trainPath: String
        var credit: String?
        /// The other parsers the card lists (`evaluation.compare_with`), read before training so
        /// that a missing one stops the run at once.
        var compared: [Comparison]
    }

    /// Another parser's development F1, from its zoo entry.
    struct Comparison {
        var name: String
        var kind: String
        var devF1: Double
        var recipe: String?
    }

    static func comparisons(_ names: [String], recipe: Recipe) throws -> [Comparison] {
        try names.map { name in
            let entry: ZooEntry
            do { entry = try ZooRegistry().resolve(name) } catch {
                throw RecipeError(file: recipe.file, key: "evaluation.compare_with",
                                  message: "\(error) (train that parser first, or leave it out)")
            }
            try entry.require(.parsing)
            guard let f1 = entry.config.metrics["dev_f1"] else {
                throw RecipeError(file: recipe.file, key: "evaluation.compare_with",
                                  message: "the zoo entry '\(name)' has no dev_f1 metric (retrain it with this version)")
            }
            return Comparison(name: entry.config.name, kind: entry.config.seq2seqParser != nil ? "sequence to sequence" : "chart",
                              devF1: f1, recipe: entry.config.training.recipe)
        }
    }

    /// What both parsers do after training: parse the test trees' words and score them with EVALB,
    /// then export the entry with its card (the sample drawn as a tree, the data's credit).
    static func finish(_ recipe: Recipe, options: RecipeRun.Options, data: Treebanks, parser: Parser, weights: some Module,
                       modelConfig: TransformerConfig, configure: (inout ZooEntryConfig) -> Void, summaryLine: String, modelFact: String,
                       trainCount: Int, validationCount: Int, tokenizerSection: Recipe.TokenizerSection, tokenizer: any TextTokenizer,
                       tokenizerFiles: [URL], summary: TrainingSummary, average: CheckpointAverageChoice?, trainingFiles: [URL], work: URL,
                       note: (String) -> Void) throws -> RecipeRun.Result {
        var metrics = summary.validation
        var testLine: String?
        var testFacts: [(String, String)] = []
        var sample: ParseTree?
        if let testTrees = data.test, let testPath = data.testPath, !testTrees.isEmpty {
            let usable = testTrees.filter { parser.fits($0.words) }
            note("parsing the \(usable.count) test sentences of \(testPath)")
            let start = Date()
            let bar = PassProgress(silent: options.progress.isSilent)
            let parsed = try parseInBatches(usable.map(\.words), parser: parser, progress: bar.update)
            bar.finish()
            let seconds = Date().timeIntervalSince(start)
            let score = ParserScore(gold: usable, parsed: parsed)
            metrics["test_f1"] = score.f1
            metrics["test_f1_40"] = score.f1Cutoff
            metrics["test_tag_accuracy"] = score.tagAccuracy
            testFacts = score.facts
            testLine = "\(usable.count) sentences of \(testPath) (\(testTrees.count - usable.count) longer than the context left out), "
                + "EVALB with COLLINS.prm on brackets (gold part-of-speech tags), \(String(format: "%.1f", Double(usable.count) / max(seconds, 1e-9))) sentences/s"
            note("test: " + score.facts.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
            sample = parsed.first { (8...20).contains($0.words.count) } ?? parsed.first
        }

        // Selection on the development trees: EVALB over all of them, as on the test trees.
        note("parsing the \(data.validation.count) development sentences (\(data.validationDescription))")
        let devBar = PassProgress(silent: options.progress.isSilent)
        let dev = try evalb(gold: data.validation, parser: parser, progress: devBar.update)
        devBar.finish()
        metrics["dev_f1"] = dev.f1
        metrics["dev_f1_40"] = dev.f1Cutoff
        note("development: " + dev.facts.map { "\($0.0) \($0.1)" }.joined(separator: ", "))

        let export = RunExport(recipe: recipe, options: options)
        let dataDescription = recipe.data.source.map { "the built-in '\($0)' treebank (\(data.trainPath))" } ?? data.trainPath
        var entryConfig = ZooEntryConfig(
            name: export.name, task: .parsing, model: modelConfig,
            tokenizer: .init(kind: tokenizerSection.kind, files: try TokenizerRegistry.kind(tokenizerSection.kind).files),
            metrics: metrics, training: export.trainingInfo(data: dataDescription, summary: summary, parameters: weights.parameterCount))
        configure(&entryConfig)
        var card = ModelCard(title: export.name, summary: summaryLine + export.trainedBy)
        let info = entryConfig.training
        var facts: [(String, String)] = [
            ("task", entryConfig.task.rawValue),
            ("data", "\(info.data) (\(trainCount) trees)"),
            ("validation", "\(data.validationDescription) (\(validationCount) trees)"),
            ("tokenizer", "\(tokenizerSection.kind) (\(tokenizerSection.path)), \(tokenizer.vocabularySize) tokens"),
            ("model", modelFact),
            ("training", RecipeRun.trainingDescription(recipe.training, steps: summary.steps, unit: "pieces")),
            ("words seen", ModelCard.count(info.tokens)),
            ("wall time", RecipeRun.wallTime(info, unit: "words")),
        ]
        if let f1 = metrics["dev_f1"], let f1cut = metrics["dev_f1_40"] {
            facts.append(("development F1 (EVALB, all / ≤ 40)", String(format: "%.2f / %.2f", f1, f1cut)
                + " (\(data.validation.count) sentences of \(data.validationDescription))"))
        }
        for other in data.compared {
            facts.append(("compared on development", "\(other.kind) parser `\(other.name)`: F1 \(String(format: "%.2f", other.devF1))"
                + (other.recipe.map { " (`zoo run \($0)`)" } ?? "")))
        }
        if let testLine { facts.append(("test", testLine)) }
        facts += testFacts
        if let credit = data.credit { facts.append(("data credit", credit)) }
        card.facts = facts
        var files = trainingFiles
        var appendix = ""
        if let sample {
            card.sample = ("A test sentence parsed by this model:", sample.bracketed)
            let picture = work.appendingPathComponent("sample-tree.svg")
            if (try? Data(TreeSVG().render(sample).utf8).write(to: picture, options: .atomic)) != nil {
                files.append(picture)
                appendix = "\n## The sample as a tree\n\n![the sample sentence's tree](sample-tree.svg)\n"
            }
        }
        let usage = ["zoo parse --model \(export.name) \"The striatum plays a pivotal role in modulating motor activity.\"",
                     "zoo eval --model \(export.name) --data \(data.testPath ?? "GOLD_TREES.txt")"]
        return try export.write(config: entryConfig, model: weights, tokenizerFiles: tokenizerFiles, card: card, usage: usage,
                                appendix: appendix, trainingFiles: files, summary: summary, average: average, workDirectory: work, note: note)
    }

    /// EVALB (COLLINS.prm) on the parser's trees of the gold trees' words (`ParserScore`); a
    /// sentence longer than the parser's context gets an empty test line, which EVALB counts as
    /// skipped. `progress` is told after each batch: sentences parsed, sentences to parse.
    static func evalb(gold: [ParseTree], parser: Parser, batchSize: Int = 32,
                      progress: (Int, Int) -> Void = { _, _ in }) throws -> ParserScore {
        let fits = gold.map { parser.fits($0.words) }
        let sentences = zip(gold, fits).filter { $0.1 }.map { $0.0.words }
        var parsed = try parseInBatches(sentences, parser: parser, batchSize: batchSize, progress: progress).makeIterator()
        return ParserScore(gold: gold, parsed: fits.map { $0 ? parsed.next() : nil })
    }

    /// The parser's trees, in batches of similar lengths (the same trees `parse` gives), telling
    /// `progress` after each batch: sentences parsed, sentences to parse.
    static func parseInBatches(_ sentences: [[String]], parser: Parser, batchSize: Int = 32,
                               progress: (Int, Int) -> Void) throws -> [ParseTree] {
        var parsed = [ParseTree?](repeating: nil, count: sentences.count)
        var count = 0
        for batch in lengthBatches(lengths: sentences.map(\.count), batchSize: batchSize) {
            let trees = try parser.parse(batch.map { sentences[$0] }, batchSize: batchSize)
            for (i, tree) in zip(batch, trees) { parsed[i] = tree }
            count += batch.count
            progress(count, sentences.count)
        }
        return parsed.map { $0! }
    }

    /// Progress over parsing a data set inside a run, as `zoo eval` shows it (a bar on a terminal,
    /// else a line every tenth and at least every 10 s); nothing in a silent run.
    final class PassProgress {
        private let silent: Bool
        private var bar: ProgressBar?
        private let start = Date()

        init(silent: Bool) { self.silent = silent }

        func update(_ done: Int, _ all: Int) {
            guard !silent else { return }
            if bar == nil { bar = .pass(total: all, unit: "sent") }
            bar?.update(step: done, tokensPerSecond: Double(done) / max(Date().timeIntervalSince(start), 1e-9))
        }

        func finish() { bar?.finish() }
    }
}

extension Optional where Wrapped == ProgressBar.Style {
    /// A run's progress style says to print nothing.
    var isSilent: Bool {
        if case .silent? = self { return true }
        return false
    }
}
