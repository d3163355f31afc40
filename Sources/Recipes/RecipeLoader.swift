import Foundation
import Layers
import ModelZoo
import Tensors
import Yams

/// Reads a recipe YAML file into a `Recipe`, validating it against the schema: unknown keys,
/// wrong types, missing required keys and out-of-range values are `RecipeError`s naming the file,
/// line, column and key. Keys absent from the file keep the defaults written in `Recipe.swift`
/// (the shared keys) and in each family's `RecipeOptions` (its own keys, read by the family).
public enum RecipeLoader {
    /// The keys each section accepts in every recipe; a family adds its own (`TaskFamily.recipeKeys`).
    static let sharedKeys: [String: [String]] = [
        "": ["name", "task", "data", "tokenizer", "model", "training", "evaluation", "checkpoint", "export"],
        "data": ["source", "train", "validation", "test", "validation_split"],
        "tokenizer": ["path", "kind", "vocab_size", "model_type", "character_coverage", "normalization", "byte_fallback"],
        "model": ["stack", "d_model", "heads", "layers", "encoder_layers", "decoder_layers", "ffn", "context", "max_length",
                  "dropout", "activation", "positional", "norm_first"],
        "training": ["optimizer", "learning_rate", "betas", "eps", "weight_decay", "schedule", "warmup", "min_learning_rate",
                     "steps", "batch_tokens", "accumulation", "label_smoothing", "clip", "seed", "log_every"],
        "evaluation": ["every", "batches"],
        "checkpoint": ["every", "keep"],
        "export": ["name", "average"],
    ]

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
        let top = try RecipeFields(root, path: "", file: file, allowed: sharedKeys[""]!)

        guard let name = try top.name("name") else { throw top.missing("name") }
        let known = TaskCatalog.names.map(\.rawValue)
        guard let taskName = try top.choice("task", known) else { throw top.missing("task") }
        let family = TaskCatalog.family(TaskName(taskName))!

        func section(_ key: String) throws -> RecipeFields? {
            let own = family.recipeKeys[key] ?? []
            var foreign: [String: String] = [:]
            for other in TaskCatalog.families where other.name != family.name {
                for k in other.recipeKeys[key] ?? [] where foreign[k] == nil { foreign[k] = other.name.rawValue }
            }
            return try top.section(key, allowed: (sharedKeys[key] ?? []) + own, foreign: foreign)
        }
        guard let dataFields = try section("data") else { throw top.missing("data") }
        let data = try readData(dataFields, family: family)

        var tokenizer: Recipe.TokenizerSection?
        if let fields = try section("tokenizer") {
            tokenizer = try readTokenizer(fields)
        } else if family.needsTokenizer {
            throw top.missing("tokenizer", " (a \(family.name) recipe needs one)")
        }

        guard let modelFields = try section("model") else { throw top.missing("model") }
        let model = try readModel(modelFields, family: family)

        guard let trainingFields = try section("training") else { throw top.missing("training") }
        let training = try readTraining(trainingFields, family: family)

        var recipe = Recipe(name: name, task: family.name, data: data, tokenizer: tokenizer, model: model, training: training)
        recipe.file = file
        let evaluationFields = try section("evaluation")
        if let f = evaluationFields {
            if let v = try f.int("every", .atLeast(0)) { recipe.evaluation.every = v }
            if let v = try f.int("batches", .atLeast(0)) { recipe.evaluation.batches = v }
        }
        if let f = try section("checkpoint") {
            if let v = try f.int("every", .atLeast(0)) { recipe.checkpoint.every = v }
            if let v = try f.int("keep", .atLeast(1)) { recipe.checkpoint.keep = v }
        }
        let exportFields = try section("export")
        if let f = exportFields {
            if let v = try f.name("name") { recipe.export.name = v }
            if let v = try f.int("average", .atLeast(1)) {
                if v > 1 && recipe.checkpoint.every == 0 {
                    throw f.error("average", "averaging \(v) checkpoints needs checkpoint.every > 0 (only the last step is saved)")
                }
                if v > recipe.checkpoint.keep {
                    throw f.error("average", "averaging the last \(v) checkpoints needs checkpoint.keep ≥ \(v) (it is \(recipe.checkpoint.keep))")
                }
                recipe.export.average = v
            }
        }
        try family.readRecipe(RecipeSections(top: top, data: dataFields, model: modelFields, training: trainingFields,
                                             evaluation: evaluationFields, export: exportFields), into: &recipe)
        if recipe.training.accumulation > recipe.training.batchTokens {
            throw trainingFields.error("accumulation", "\(recipe.training.accumulation) micro-batches cannot split a batch of \(recipe.training.batchTokens)")
        }
        return recipe
    }

    // MARK: - Sections

    private static func readData(_ f: RecipeFields, family: any TaskFamily) throws -> Recipe.DataSection {
        var data = Recipe.DataSection()
        let known = family.builtInSources.keys.sorted()
        if let source = try f.string("source") {
            guard known.contains(source) else {
                let list = known.isEmpty ? "the \(family.name) task has none" : "known: \(known.joined(separator: ", "))"
                throw f.error("source", "unknown built-in source \(RecipeFields.quote(source)) (\(list))")
            }
            if f.has("train") { throw f.error("train", "give either a built-in 'source' or 'train' files, not both") }
            data.source = source
        }
        data.train = try f.string("train")
        data.validation = try f.string("validation")
        data.test = try f.string("test")
        if let v = try f.double("validation_split", .between(0, 1, openHigh: true)) { data.validationSplit = v }
        if data.source == nil && data.train == nil {
            throw f.missing("train", known.isEmpty ? "" : " (or give a built-in 'source': \(known.joined(separator: ", ")))")
        }
        return data
    }


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

    private static func readModel(_ f: RecipeFields, family: any TaskFamily) throws -> Recipe.ModelSection {
        // Left out, the stack is the family's first (its only one, for most).
        let allowed = family.stacks.map(\.rawValue)
        guard let stackName = try f.choice("stack", Recipe.ModelSection.Stack.allCases.map(\.rawValue)) ?? allowed.first else {
            throw f.missing("stack")
        }
        let stack = Recipe.ModelSection.Stack(rawValue: stackName)!
        guard allowed.contains(stackName) else {
            throw f.error("stack", "the \(family.name) task needs stack \(allowed.joined(separator: " or ")), found \(stackName)")
        }
        // The zoo's limits (`TransformerConfig.validate`), so no run trains a model its export would refuse.
        typealias Limits = TransformerConfig.Limits
        guard let dModel = try f.int("d_model", .integers(1...Limits.dModel)) else { throw f.missing("d_model") }
        guard let heads = try f.int("heads", .atLeast(1)) else { throw f.missing("heads") }
        guard dModel % heads == 0 else { throw f.error("heads", "d_model \(dModel) is not divisible by heads \(heads)") }

        let layers = try f.int("layers", .integers(1...Limits.layers))
        var encoderLayers = try f.int("encoder_layers", .integers(0...Limits.layers))
        var decoderLayers = try f.int("decoder_layers", .integers(0...Limits.layers))
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
        m.ffn = try f.int("ffn", .integers(1...Limits.ffnDim))
        if f.has("context") && f.has("max_length") { throw f.error("max_length", "give either 'context' or 'max_length', not both") }
        // An encoder–decoder's target starts with a start token: one position leaves no room for output.
        let context = ValueLimit.integers((stack == .encoderDecoder ? 2 : 1)...Limits.maxLength)
        if let v = try f.int("context", context) ?? f.int("max_length", context) { m.context = v }
        if let v = try f.float("dropout", .between(0, 1, openHigh: true)) { m.dropout = v }
        m.activation = try f.choice("activation", Recipe.ModelSection.activations)
        m.positional = try f.choice("positional", Recipe.ModelSection.positionals)
        m.normFirst = try f.bool("norm_first")
        return m
    }

    private static func readTraining(_ f: RecipeFields, family: any TaskFamily) throws -> Recipe.TrainingSection {
        guard let steps = try f.int("steps", .atLeast(1)) else { throw f.missing("steps") }
        var t: Recipe.TrainingSection
        if family.countsExamples {
            // Examples are counted, not tokens: the family reads its own batch size into batchTokens.
            if f.has("batch_tokens") { throw f.error("batch_tokens", "\(article(family.name.rawValue)) \(family.name) recipe gives batch_size (examples per step), not batch_tokens") }
            t = Recipe.TrainingSection(steps: steps, batchTokens: 1)
        } else {
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

    /// "a" or "an", by the word's first letter.
    static func article(_ word: String) -> String { "aeiou".contains(word.first ?? "x") ? "an" : "a" }
}
