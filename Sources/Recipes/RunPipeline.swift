import Foundation
import Layers
import Tensors
import ModelZoo
import Tokenization
import Training

// The stages every family's run shares: the tokenizer, the validation hold-out, the metric line,
// the card's common facts and the export to the zoo. A family's run composes them around its own
// data, model and metric.

extension RecipeRun {
    /// The recipe's tokenizer: loaded when its file exists; otherwise (SentencePiece only) trained
    /// on `trainingDocuments` with the recipe's settings and saved there first. In a data-parallel
    /// run rank 0 alone trains it and sends the file to the others, whose hosts need not share
    /// its directory.
    public static func prepareTokenizer(_ section: Recipe.TokenizerSection, trainingDocuments: [String], source: String,
                                        note: (String) -> Void) throws -> (any TextTokenizer, [URL]) {
        let group = DataParallel.world
        if group.isPrimary && !FileManager.default.fileExists(atPath: section.path) {
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
        if group.size > 1 && section.kind == "sentencepiece" {
            let file = group.isPrimary ? FileManager.default.contents(atPath: section.path).map { [UInt8]($0) } ?? [] : []
            let received = try group.broadcast(file, from: 0)
            if !group.isPrimary && !received.isEmpty && FileManager.default.contents(atPath: section.path).map({ [UInt8]($0) }) != received {
                do {
                    try FileManager.default.createDirectory(at: URL(fileURLWithPath: section.path).deletingLastPathComponent(),
                                                            withIntermediateDirectories: true)
                    try Data(received).write(to: URL(fileURLWithPath: section.path), options: .atomic)
                } catch {
                    throw TrainingError.cannotWrite(path: section.path, reason: "\(DataParallel.rankPrefix)\(error.localizedDescription)")
                }
            }
        }
        let (tokenizer, files) = try TokenizerRegistry.load(section.kind, path: section.path)
        return (tokenizer, files)
    }

    /// Holds out the last `fraction` of `items` (at least one) for validation when a recipe has no
    /// validation file; `what` names one item ("document", "pair") in the description and errors.
    public static func holdOut<Item>(_ items: inout [Item], fraction: Double, what: String, from path: String) throws
        -> (held: [Item], description: String) {
        let held = max(1, Int((Double(items.count) * fraction).rounded()))
        guard items.count > held else {
            throw TrainingError.badData(path: path, reason: "\(items.count) \(what)(s) are too few to hold out \(held) for validation")
        }
        let out = Array(items.suffix(held))
        items.removeLast(held)
        return (out, "the last \(held) \(what)s of \(path)")
    }

    /// The recipe's `export.average` on a finished run: the trainer's model becomes the best mean
    /// of its last checkpoints on validation (`Trainer.averageLastCheckpoints`) and `summary`'s
    /// validation metrics become that model's. Nil, and nothing changed, when the recipe exports
    /// the last step's weights.
    public static func averageCheckpoints<T>(_ recipe: Recipe, trainer: Trainer<T>, summary: inout TrainingSummary,
                                            note: (String) -> Void) throws -> CheckpointAverageChoice? {
        let bound = recipe.export.average
        guard bound > 1 else { return nil }
        note("scoring the means of up to the last \(bound) checkpoints on validation")
        let choice = try trainer.averageLastCheckpoints(upTo: bound, validation: summary.validation)
        summary.validation = choice.validation
        note("exporting \(choice.summary)")
        return choice
    }

    /// The card's training row: steps, batch, optimizer, schedule, clipping, smoothing, seed;
    /// `unit` is what a batch counts ("tokens", "images").
    public static func trainingDescription(_ t: Recipe.TrainingSection, steps: Int, unit: String = "tokens") -> String {
        let optimizer = t.optimizer == .adamw ? "AdamW" : t.optimizer == .adam ? "Adam" : "SGD"
        var s = "\(steps) steps × \(unit == "tokens" ? ModelCard.count(t.batchTokens) : String(t.batchTokens)) \(unit)"
        if t.accumulation > 1 { s += " (\(t.accumulation) micro-batches)" }
        s += ", \(optimizer) lr \(t.learningRate)"
        if t.optimizer != .sgd { s += " betas (\(t.betas[0]), \(t.betas[1]))" }
        s += ", weight decay \(t.weightDecay ?? (t.optimizer == .adamw ? 0.01 : 0))"
        s += ", \(t.schedule.rawValue) schedule, \(t.warmup) warm-up steps"
        if t.clip > 0 { s += ", clip \(t.clip)" }
        if t.labelSmoothing > 0 { s += ", label smoothing \(t.labelSmoothing)" }
        return s + ", seed \(t.seed)"
    }

    /// The card's wall-time row: how long, on how many cores of what machine, and the overall
    /// rate in `unit`.
    public static func wallTime(_ info: ZooEntryConfig.TrainingInfo, unit: String) -> String {
        let on = (info.ranks ?? 1) > 1 ? "\(info.ranks!) processes × \(Parallel.cores) threads" : "\(Parallel.cores) cores"
        return "\(ProgressBar.duration(info.wallSeconds)) on \(on)\(info.machine.map { " of \($0)" } ?? "") "
            + "(\(ModelCard.count(Int(Double(info.tokens) / max(info.wallSeconds, 1e-9)))) \(unit)/s overall)"
    }
}

/// Where a run's model goes and how it gets there: the zoo entry's directory (`--out`, or the
/// recipe's export name in the zoo), and the export itself with the parts every card shares.
public struct RunExport {
    public let recipe: Recipe
    public let output: URL
    /// The entry's name (its directory's).
    public var name: String { output.lastPathComponent }

    public init(recipe: Recipe, options: RecipeRun.Options) {
        self.recipe = recipe
        output = Self.destination(recipe: recipe, options: options).standardizedFileURL
    }

    /// The entry a run writes, as the user named it: `--out`, else `Zoo/<export name>`.
    public static func destination(recipe: Recipe, options: RecipeRun.Options) -> URL {
        options.output ?? ZooRegistry.defaultRoot.appendingPathComponent(recipe.exportName)
    }

    /// The recipe file, unless the recipe was built in code.
    public var recipeFile: String? { recipe.file.isEmpty ? nil : recipe.file }

    /// ", trained by `zoo run FILE`." (or "."), to end a card's summary.
    public var trainedBy: String { recipeFile.map { ", trained by `zoo run \($0)`." } ?? "." }

    /// The entry's training facts.
    public func trainingInfo(data: String, summary: TrainingSummary, parameters: Int) -> ZooEntryConfig.TrainingInfo {
        .init(recipe: recipeFile, data: data, steps: summary.steps, tokens: summary.tokens, wallSeconds: summary.wallSeconds,
              parameters: parameters, ranks: summary.ranks, machine: Machine.summary)
    }

    /// Writes the entry (atomically, see `ZooRegistry.export`): the config, the model's weights,
    /// the tokenizer's files, the card (with the recipe, the retrain command before `usage`, the
    /// loss curve when the run drew one, then `appendix`; a row naming the averaged checkpoints
    /// when `average` chose them; the sittings and any change of the recipe since the run began),
    /// the run's log and curve.
    public func write(config: ZooEntryConfig, model: some Module, tokenizerFiles: [URL], card: ModelCard, usage: [String],
                      appendix: String = "", trainingFiles: [URL], summary: TrainingSummary, average: CheckpointAverageChoice? = nil,
                      workDirectory: URL, note: (String) -> Void) throws -> RecipeRun.Result {
        var card = card, config = config
        if let average {
            config.training.averagedSteps = average.steps
            let row = ("weights", average.summary)
            if let i = card.facts.firstIndex(where: { $0.0 == "training" }) { card.facts.insert(row, at: i + 1) } else { card.facts.append(row) }
        }
        config.training.resumedAt = summary.resumedAt.isEmpty ? nil : summary.resumedAt
        let recipeText = StartingRecipe.text(of: recipe)
        config.training.recipeChanges = StartingRecipe.changes(since: workDirectory, now: recipeText)
        if let i = card.facts.firstIndex(where: { $0.0 == "wall time" }) {
            card.facts.insert(("sittings", Self.sittings(config.training)), at: i + 1)
        }
        card.recipe = recipeText
        card.usage = (recipeFile.map { ["zoo run \($0) --force        # retrain, replacing this entry"] } ?? []) + usage
        card.hasLossPlot = trainingFiles.contains { $0.lastPathComponent == LossPlot.fileName && FileManager.default.fileExists(atPath: $0.path) }
        let export = ZooExport(config: config, weights: model.namedTensors.map { ($0.name, $0.tensor) },
                               tokenizerFiles: tokenizerFiles, card: card.markdown + appendix, extraFiles: trainingFiles)
        let entry = try ZooRegistry.export(export, to: output)
        note("exported \(output.relativePath): " + TrainingLog.metricLine(config.metrics))
        return RecipeRun.Result(entry: entry, summary: summary, workDirectory: workDirectory)
    }
}

extension RunExport {
    /// The card's sittings row: how many, where each resumed, and whether the recipe changed.
    static func sittings(_ info: ZooEntryConfig.TrainingInfo) -> String {
        let resumed = info.resumedAt ?? []
        var s = resumed.isEmpty ? "1 (never resumed)"
            : "\(resumed.count + 1) (resumed at step\(resumed.count > 1 ? "s" : "") \(resumed.map(String.init).joined(separator: ", ")))"
        if let changes = info.recipeChanges {
            s += changes.isEmpty ? "; the recipe below is the one it began with"
                : "; the recipe changed since the run began: " + changes.joined(separator: "; ")
        }
        return s
    }
}

extension Recipe {
    /// The tokenizer section; the loader requires one of every family that needs it, so its
    /// absence here is a recipe built in code without one.
    public func requiredTokenizer() throws -> TokenizerSection {
        guard let tokenizer else { throw RecipeError(file: file, key: "tokenizer", message: "required key is missing") }
        return tokenizer
    }

    /// The data's files: a built-in `source`'s (`family.builtInSources`) for training and
    /// validation, the recipe's own otherwise; a `test` key of the recipe wins over the source's.
    /// Throws when there is no training data.
    public func dataFiles(of family: some TaskFamily) throws -> (train: String, validation: String?, test: String?, builtIn: BuiltInSource?) {
        let builtIn = data.source.flatMap { family.builtInSources[$0] }
        guard let train = builtIn?.train ?? data.train else {
            throw RecipeError(file: file, key: "data.train", message: "required key is missing")
        }
        return (train, builtIn?.validation ?? data.validation, data.test ?? builtIn?.test, builtIn)
    }
}
