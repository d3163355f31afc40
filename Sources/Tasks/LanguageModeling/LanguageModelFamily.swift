import Data
import Foundation
import Layers
import Models
import ModelZoo
import Recipes
import Tensors
import Tokenization
import Training

extension TaskName {
    /// GPT-style language models (decoder-only), trained on plain text.
    public static let languageModel: TaskName = "language-model"
}

/// The language-model family: recipes of `task: language-model`, GPT entries of the zoo.
public struct LanguageModelFamily: TaskFamily {
    public init() {}
    public var name: TaskName { .languageModel }
    public var summary: String { "GPT-style text generation (decoder-only)" }
    public var stacks: [Recipe.ModelSection.Stack] { [.decoderOnly] }
    public var builtInSources: [String: BuiltInSource] {
        ["kjv": BuiltInSource(train: "data/kjv/train.txt", validation: "data/kjv/valid.txt",
                                credit: "the King James Bible (CrossWire SWORD module KJV, Debian's sword-text-kjv), public domain")]
    }
    public var recipeKeys: [String: [String]] { LanguageModelOptions.keys }

    public func readRecipe(_ sections: RecipeSections, into recipe: inout Recipe) throws {
        recipe.languageModel = try LanguageModelOptions.read(sections)
        if recipe.data.validation == nil && recipe.data.source == nil && recipe.data.validationSplit == 0 {
            throw sections.data.error("validation_split", "with no 'validation' file, some training text must be held out (validation_split > 0)")
        }
    }

    public func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        try LanguageModelTask.run(recipe, options: options)
    }

    /// Mean loss per token and perplexity on the text of `request.data`, one document a line.
    public func loadModel(_ entry: ZooEntry) throws -> any Module { try entry.loadLanguageModel().model }

    public func evaluate(_ entry: ZooEntry, _ request: EvaluationRequest) throws -> Evaluation {
        guard let data = request.data else { throw EvaluationError("a language model needs --data FILE (UTF-8 text, one document a line)") }
        let text = try TextInput.lines(ofFile: data).joined(separator: "\n")
        let (model, tokenizer) = try entry.loadLanguageModel()
        let tokens = LanguageModelTask.tokens(of: LanguageModelTask.documents(in: text, unit: .line), tokenizer: tokenizer)
        guard tokens.count >= 2 else { throw EvaluationError("\(data): too little text (\(tokens.count) token(s))") }
        let task = try LanguageModelTask(model: model, trainTokens: tokens, validationTokens: tokens, evaluationRows: request.batchSize)
        let start = Date(), window = task.context
        var bar: ProgressBar?
        task.progress = { done, all in
            if bar == nil { bar = .pass(total: all, unit: "tok") }
            bar?.update(step: done, tokensPerSecond: Double(done * window) / max(Date().timeIntervalSince(start), 1e-9))
        }
        let metrics = withoutGradients { task.evaluate(batches: 0) }
        bar?.finish()
        let line = String(format: "loss %.4f nats/token, perplexity %.2f", metrics["loss"]!, metrics["ppl"]!) + " (\(tokens.count) tokens of \(data))"
        return Evaluation(lines: [line], metrics: ["loss": metrics["loss"]!, "ppl": metrics["ppl"]!, "tokens": Double(tokens.count)])
    }
}

extension ZooEntry {
    /// A language-model entry's model (weights loaded, in evaluation mode) and tokenizer.
    public func loadLanguageModel(seed: UInt64 = 0) throws -> (model: GPT, tokenizer: any TextTokenizer) {
        try require(.languageModel)
        let tokenizer = try loadTokenizer()
        let model = makeModel { GPT(config.model, seed: seed) }
        try loadWeights(into: model)
        guard tokenizer.vocabularySize <= config.model.vocabSize else {
            throw ZooError.badEntry(path: directory.path, reason: "the tokenizer has \(tokenizer.vocabularySize) tokens, the model \(config.model.vocabSize)")
        }
        model.setTraining(false)
        return (model, tokenizer)
    }
}
