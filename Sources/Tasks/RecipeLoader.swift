import Foundation
import Yams

/// Reads a recipe YAML file into a `Recipe`, validating it against the schema: unknown keys,
/// wrong types, missing required keys and out-of-range values are `RecipeError`s naming the file,
/// line, column and key. Keys absent from the file keep the defaults written in `Recipe.swift`.
public enum RecipeLoader {
    /// The keys each section accepts: the schema. `Recipe.swift` documents each one.
    static let topKeys = ["name", "task", "data", "tokenizer", "model", "training", "evaluation", "checkpoint", "export"]
    static let dataKeys = ["source", "train", "validation", "test", "documents", "validation_split", "languages", "max_words",
                           "max_ratio", "mean", "std", "crop_padding", "horizontal_flip"]
    static let tokenizerKeys = ["path", "kind", "vocab_size", "model_type", "character_coverage", "normalization", "byte_fallback"]
    static let modelKeys = ["stack", "d_model", "heads", "layers", "encoder_layers", "decoder_layers", "ffn", "context",
                            "max_length", "dropout", "activation", "positional", "norm_first", "image_size", "channels", "patch_size", "stem"]
    static let trainingKeys = ["optimizer", "learning_rate", "betas", "eps", "weight_decay", "schedule", "warmup",
                               "min_learning_rate", "steps", "batch_tokens", "accumulation", "label_smoothing", "clip",
                               "seed", "log_every", "batch_size"]
    static let stemKeys = ["channels", "strides"]
    static let evaluationKeys = ["every", "batches", "bleu", "beam", "length_penalty"]
    static let checkpointKeys = ["every", "keep"]
    static let exportKeys = ["name", "prompt", "sample_tokens", "samples"]

    /// Reads and validates the recipe at `path`.
    public static func load(path: String) throws -> Recipe {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RecipeError(file: path, message: "no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw RecipeError(file: path, message: isDirectory.boolValue ? "is a directory, not a recipe file" : "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeError(file: path, message: "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Validates the recipe text `yaml`; `file` names it in errors.
    public static func parse(_ yaml: String, file: String = "") throws -> Recipe {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw RecipeError(file: file, message: "the recipe is empty") }
            root = node
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        }
        let top = try RecipeFields(root, path: "", file: file, allowed: topKeys)

        guard let name = try top.name("name") else { throw top.missing("name") }
        guard let taskName = try top.choice("task", Recipe.Task.allCases.map(\.rawValue)) else { throw top.missing("task") }
        let task = Recipe.Task(rawValue: taskName)!

        guard let dataFields = try top.section("data", allowed: dataKeys) else { throw top.missing("data") }
        let data = try readData(dataFields, task: task)

        var tokenizer: Recipe.TokenizerSection?
        if let fields = try top.section("tokenizer", allowed: tokenizerKeys) {
            tokenizer = try readTokenizer(fields)
        } else if task != .imageClassification {
            throw top.missing("tokenizer", " (a \(task.rawValue) recipe needs one)")
        }

        guard let modelFields = try top.section("model", allowed: modelKeys) else { throw top.missing("model") }
        let model = try readModel(modelFields, task: task)

        guard let trainingFields = try top.section("training", allowed: trainingKeys) else { throw top.missing("training") }
        let training = try readTraining(trainingFields, task: task)

        var recipe = Recipe(name: name, task: task, data: data, tokenizer: tokenizer, model: model, training: training)
        recipe.file = file
        if let f = try top.section("evaluation", allowed: evaluationKeys) {
            if let v = try f.int("every", .atLeast(0)) { recipe.evaluation.every = v }
            if let v = try f.int("batches", .atLeast(0)) { recipe.evaluation.batches = v }
            if let v = try f.bool("bleu") { recipe.evaluation.bleu = v }
            if let v = try f.int("beam", .atLeast(1)) { recipe.evaluation.beam = v }
            if let v = try f.double("length_penalty", .atLeast(0)) { recipe.evaluation.lengthPenalty = v }
        }
        if let f = try top.section("checkpoint", allowed: checkpointKeys) {
            if let v = try f.int("every", .atLeast(0)) { recipe.checkpoint.every = v }
            if let v = try f.int("keep", .atLeast(1)) { recipe.checkpoint.keep = v }
        }
        if let f = try top.section("export", allowed: exportKeys) {
            if let v = try f.name("name") { recipe.export.name = v }
            if let v = try f.string("prompt") { recipe.export.prompt = v }
            if let v = try f.int("sample_tokens", .atLeast(0)) { recipe.export.sampleTokens = v }
            if let v = try f.int("samples", .atLeast(0)) { recipe.export.samples = v }
        }
        return recipe
    }

    // MARK: - Sections

    private static func readData(_ f: RecipeFields, task: Task) throws -> Recipe.DataSection {
        var data = Recipe.DataSection()
        if let source = try f.string("source") {
            let known = (task == .imageClassification ? Array(Recipe.DataSection.builtInImageSources.keys)
                                                      : Array(Recipe.DataSection.builtInSources.keys)).sorted()
            guard known.contains(source) else {
                throw f.error("source", "unknown built-in source \(RecipeFields.quote(source)) (known: \(known.joined(separator: ", ")))")
            }
            if f.has("train") { throw f.error("train", "give either a built-in 'source' or 'train' files, not both") }
            data.source = source
        }
        data.train = try f.string("train")
        data.validation = try f.string("validation")
        data.test = try f.string("test")
        if let v = try f.choice("documents", Recipe.DataSection.DocumentUnit.allCases.map(\.rawValue)) {
            data.documents = .init(rawValue: v)!
        }
        if let v = try f.double("validation_split", .between(0, 1, openHigh: true)) { data.validationSplit = v }
        let parallel = data.source.flatMap { Recipe.DataSection.builtInParallel[$0] }
        if let source = data.source, task == .translation && parallel == nil || task != .translation && parallel != nil {
            throw f.error("source", "\(RecipeFields.quote(source)) is \(parallel == nil ? "not " : "")a parallel corpus; "
                          + "the \(task.rawValue) task cannot use it")
        }
        if let v = try f.names("languages", count: 2) {
            guard v[0] != v[1] else { throw f.error("languages", "the source and target languages are both \(RecipeFields.quote(v[0]))") }
            if let parallel, Set(v) != Set(parallel.languages) {
                throw f.error("languages", "the built-in \(RecipeFields.quote(data.source!)) corpus has \(parallel.languages.joined(separator: " and ")), not \(v.joined(separator: " and "))")
            }
            data.languages = v
        } else if task == .translation {
            guard let parallel else { throw f.missing("languages", " (the source and target language, e.g. [en, de])") }
            data.languages = parallel.languages
        }
        if let v = try f.int("max_words", .atLeast(1)) { data.maxWords = v }
        if let v = try f.double("max_ratio", .atLeast(1)) { data.maxRatio = v }
        try readImageData(f, task: task, into: &data)
        if data.source == nil && data.train == nil {
            let known = task == .imageClassification ? Array(Recipe.DataSection.builtInImageSources.keys) : Array(Recipe.DataSection.builtInSources.keys)
            throw f.missing("train", " (or give a built-in 'source': \(known.sorted().joined(separator: ", ")))")
        }
        if data.validation == nil && data.source == nil && data.validationSplit == 0 && task == .languageModel {
            throw f.error("validation_split", "with no 'validation' file, some training text must be held out (validation_split > 0)")
        }
        return data
    }

    private typealias Task = Recipe.Task

    private static func readTokenizer(_ f: RecipeFields) throws -> Recipe.TokenizerSection {
        guard let path = try f.string("path") else { throw f.missing("path") }
        var t = Recipe.TokenizerSection(path: path)
        if let v = try f.choice("kind", TokenizerRegistry.names) { t.kind = v }
        if let v = try f.int("vocab_size", .atLeast(8)) { t.vocabSize = v }
        if let v = try f.choice("model_type", Recipe.TokenizerSection.modelTypes) { t.modelType = v }
        if let v = try f.double("character_coverage", .between(0.98, 1, openHigh: false)) { t.characterCoverage = v }
        if let v = try f.choice("normalization", Recipe.TokenizerSection.normalizations) { t.normalization = v }
        if let v = try f.bool("byte_fallback") { t.byteFallback = v }
        return t
    }

    private static func readModel(_ f: RecipeFields, task: Task) throws -> Recipe.ModelSection {
        // An image classifier is an encoder; `stack` may be left out.
        guard let stackName = try f.choice("stack", Recipe.ModelSection.Stack.allCases.map(\.rawValue))
                ?? (task == .imageClassification ? "encoder" : nil) else { throw f.missing("stack") }
        let stack = Recipe.ModelSection.Stack(rawValue: stackName)!
        if task == .imageClassification && stack != .encoder {
            throw f.error("stack", "the image-classification task needs stack encoder, found \(stackName)")
        }
        if task == .languageModel && stack != .decoderOnly {
            throw f.error("stack", "the language-model task needs stack decoder-only, found \(stackName)")
        }
        guard let dModel = try f.int("d_model", .atLeast(1)) else { throw f.missing("d_model") }
        guard let heads = try f.int("heads", .atLeast(1)) else { throw f.missing("heads") }
        guard dModel % heads == 0 else { throw f.error("heads", "d_model \(dModel) is not divisible by heads \(heads)") }

        let layers = try f.int("layers", .atLeast(1))
        var encoderLayers = try f.int("encoder_layers", .atLeast(0))
        var decoderLayers = try f.int("decoder_layers", .atLeast(0))
        if layers != nil && (encoderLayers != nil || decoderLayers != nil) {
            throw f.error("layers", "give either 'layers' or 'encoder_layers'/'decoder_layers', not both")
        }
        switch stack {
        case .decoderOnly:
            if encoderLayers ?? 0 > 0 { throw f.error("encoder_layers", "a decoder-only stack has no encoder") }
            decoderLayers = layers ?? decoderLayers
            encoderLayers = 0
            guard (decoderLayers ?? 0) > 0 else { throw f.missing("layers") }
        case .encoder:
            if decoderLayers ?? 0 > 0 { throw f.error("decoder_layers", "an encoder stack has no decoder") }
            encoderLayers = layers ?? encoderLayers
            decoderLayers = 0
            guard (encoderLayers ?? 0) > 0 else { throw f.missing("layers") }
        case .encoderDecoder:
            encoderLayers = layers ?? encoderLayers
            decoderLayers = layers ?? decoderLayers
            guard encoderLayers != nil, decoderLayers != nil else { throw f.missing(encoderLayers == nil ? "encoder_layers" : "decoder_layers", " (or give 'layers' for both)") }
        }
        var m = Recipe.ModelSection(stack: stack, dModel: dModel, heads: heads, encoderLayers: encoderLayers!, decoderLayers: decoderLayers!)
        m.ffn = try f.int("ffn", .atLeast(1))
        if f.has("context") && f.has("max_length") { throw f.error("max_length", "give either 'context' or 'max_length', not both") }
        if let v = try f.int("context", .atLeast(1)) ?? f.int("max_length", .atLeast(1)) { m.context = v }
        if let v = try f.float("dropout", .between(0, 1, openHigh: true)) { m.dropout = v }
        m.activation = try f.choice("activation", Recipe.ModelSection.activations)
        m.positional = try f.choice("positional", Recipe.ModelSection.positionals)
        m.normFirst = try f.bool("norm_first")
        try readImageModel(f, task: task, into: &m)
        return m
    }

    private static func readTraining(_ f: RecipeFields, task: Task) throws -> Recipe.TrainingSection {
        guard let steps = try f.int("steps", .atLeast(1)) else { throw f.missing("steps") }
        var t: Recipe.TrainingSection
        if task == .imageClassification {
            // Images are counted, not tokens: batch_size images per step.
            if f.has("batch_tokens") { throw f.error("batch_tokens", "an image-classification recipe gives batch_size (images per step), not batch_tokens") }
            guard let batchSize = try f.int("batch_size", .atLeast(1)) else { throw f.missing("batch_size", " (images per step)") }
            t = Recipe.TrainingSection(steps: steps, batchTokens: batchSize)
            t.batchSize = batchSize
        } else {
            if f.has("batch_size") { throw f.error("batch_size", "batch_size is for image tasks; give batch_tokens") }
            guard let batchTokens = try f.int("batch_tokens", .atLeast(1)) else { throw f.missing("batch_tokens") }
            t = Recipe.TrainingSection(steps: steps, batchTokens: batchTokens)
        }
        if let v = try f.choice("optimizer", Recipe.TrainingSection.OptimizerKind.allCases.map(\.rawValue)) { t.optimizer = .init(rawValue: v)! }
        if let v = try f.float("learning_rate", .greaterThan(0)) { t.learningRate = v }
        if let v = try f.numbers("betas", count: 2, .between(0, 1, openHigh: true)) { t.betas = v.map { Float($0) } }
        if let v = try f.float("eps", .greaterThan(0)) { t.eps = v }
        if let v = try f.float("weight_decay", .atLeast(0)) { t.weightDecay = v }
        if let v = try f.choice("schedule", Recipe.TrainingSection.ScheduleKind.allCases.map(\.rawValue)) { t.schedule = .init(rawValue: v)! }
        if let v = try f.int("warmup", .atLeast(0)) { t.warmup = v }
        if t.schedule == .inverseSqrt && t.warmup == 0 {
            throw f.has("warmup") ? f.error("warmup", "the inverse-sqrt schedule needs warmup of at least 1")
                                  : f.missing("warmup", " (the inverse-sqrt schedule needs one)")
        }
        if let v = try f.float("min_learning_rate", .atLeast(0)) { t.minLearningRate = v }
        if t.minLearningRate > t.learningRate {
            throw f.error("min_learning_rate", "min_learning_rate \(t.minLearningRate) is above learning_rate \(t.learningRate)")
        }
        if let v = try f.int("accumulation", .atLeast(1)) { t.accumulation = v }
        if t.accumulation > t.batchTokens {
            throw f.error("accumulation", "\(t.accumulation) micro-batches cannot split batch_tokens \(t.batchTokens)")
        }
        if let v = try f.float("label_smoothing", .between(0, 1, openHigh: true)) { t.labelSmoothing = v }
        if let v = try f.float("clip", .atLeast(0)) { t.clip = v }
        if let v = try f.int("seed", .atLeast(0)) { t.seed = UInt64(v) }
        if let v = try f.int("log_every", .atLeast(1)) { t.logEvery = v }
        return t
    }

    // MARK: - Syntax errors

    /// A YAML syntax error as a one-line `RecipeError` at its position.
    static func syntaxError(_ error: YamlError, file: String) -> RecipeError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return RecipeError(file: file, line: mark.line, column: mark.column, message: "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return RecipeError(file: file, line: context.mark.line, column: context.mark.column,
                               message: "duplicated key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        case .reader(let problem, _, _, _):
            return RecipeError(file: file, message: "cannot read the YAML: \(problem)")
        default:
            return RecipeError(file: file, message: "YAML error: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
    }
}
