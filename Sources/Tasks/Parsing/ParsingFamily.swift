import Data
import Foundation
import Layers
import Models
import ModelZoo
import Recipes
import Tokenization

extension TaskName {
    /// Constituency parsers, trained on a Penn-Treebank-style treebank.
    public static let parsing: TaskName = "parsing"
}

/// The parsing family: recipes of `task: parsing`, chart parsers of the zoo.
public struct ParsingFamily: TaskFamily {
    public init() {}
    public var name: TaskName { .parsing }
    public var summary: String { "constituency parsing (chart parser over the shared encoder)" }
    public var stacks: [Recipe.ModelSection.Stack] { [.encoder] }
    public var builtInSources: [String: BuiltInSource] {
        ["craft": BuiltInSource(train: "data/craft/train.txt", validation: "data/craft/dev.txt", test: "data/craft/test.txt",
                                credit: "the CRAFT corpus (Bada et al. 2012, \"Concept annotation in the CRAFT corpus\", BMC Bioinformatics; "
                                    + "treebank: Verspoor et al. 2012), annotations CC BY 3.0")]
    }
    public var recipeKeys: [String: [String]] { ParsingOptions.keys }

    public func readRecipe(_ sections: RecipeSections, into recipe: inout Recipe) throws {
        recipe.parsing = try ParsingOptions.read(sections)
        if recipe.model.dModel % 2 != 0 {
            throw sections.model.error("d_model", "a chart parser splits d_model into two halves; \(recipe.model.dModel) is odd")
        }
    }

    public func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        try ParsingRun.run(recipe, options: options)
    }

    /// Parses the gold trees' words of `request.data` and prints EVALB's summary (COLLINS.prm).
    public func evaluate(_ entry: ZooEntry, _ request: EvaluationRequest) throws -> [String] {
        guard let data = request.data else { throw EvaluationError("a parser needs --data FILE (gold trees in Penn Treebank brackets)") }
        let gold = try Treebank.read(path: data).compactMap(Treebank.normalized)
        let parser = try entry.loadParser()
        let result = try ParsingRun.evalb(gold: gold, parser: parser, batchSize: request.batchSize)
        let report = result.report
        let summary = report.range(of: "=== Summary ===").map { String(report[$0.lowerBound...]) } ?? report
        return [summary.hasSuffix("\n") ? String(summary.dropLast()) : summary]
    }
}

/// A trained parser as used after training: the model in evaluation mode and its tokenizer.
public struct Parser {
    public let model: ChartParser
    public let tokenizer: any TextTokenizer

    public init(model: ChartParser, tokenizer: any TextTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// The most likely tree of each tokenized sentence; a sentence longer than the model's context
    /// is an error naming it (split it first).
    public func parse(_ sentences: [[String]], batchSize: Int = 32) throws -> [ParseTree] {
        for (i, words) in sentences.enumerated() where !model.fits(words, tokenizer: tokenizer) {
            throw EvaluationError("sentence \(i + 1) (\(words.count) words) is longer than the parser's context of \(model.config.encoder.maxLength) pieces; split it")
        }
        return model.parse(sentences, tokenizer: tokenizer, batchSize: batchSize)
    }
}

extension ZooEntry {
    /// A parsing entry's parser (weights loaded, evaluation mode) and tokenizer.
    public func loadParser() throws -> Parser {
        try require(.parsing)
        guard let config = config.parser else {
            throw ZooError.badEntry(path: directory.appendingPathComponent(Self.configFile).path, reason: "missing key 'parser'")
        }
        let tokenizer = try loadTokenizer()
        let model = ChartParser(config)
        try loadWeights(into: model)
        model.setTraining(false)
        return Parser(model: model, tokenizer: tokenizer)
    }
}
