import Foundation
import Layers
import ModelZoo
import Models

/// A task family: what a recipe's `task:` names and a zoo entry's `config.json` records. Each
/// family's folder under `Tasks/` defines one and registers it in `TaskCatalog` (as fairseq's
/// `register_task`), so `zoo run`, `zoo eval`, `zoo list` and the recipe loader never list families.
public protocol TaskFamily: Sendable {
    /// `task:` in a recipe.
    var name: TaskName { get }
    /// One line saying what models of this family do (for `zoo list --help`).
    var summary: String { get }
    /// The stacks its recipes may use; the first is the default when `model.stack` is left out
    /// (a family with one stack does not need the key).
    var stacks: [Recipe.ModelSection.Stack] { get }
    /// Whether its recipes need a `tokenizer:` section.
    var needsTokenizer: Bool { get }
    /// Named data its recipes may give as `data.source` instead of files (`make data` extracts them).
    var builtInSources: [String: BuiltInSource] { get }
    /// The keys it adds to each section of a recipe (section name → keys).
    var recipeKeys: [String: [String]] { get }

    /// Reads and validates the family's own keys (and checks the shared ones against its needs);
    /// runs after the shared sections are read. `training.batch_tokens` is required unless this
    /// sets `recipe.training.batchTokens` from a key of its own (see `countsExamples`).
    func readRecipe(_ sections: RecipeSections, into recipe: inout Recipe) throws
    /// Whether a step's size is counted in examples (`training.batch_size`) rather than tokens.
    var countsExamples: Bool { get }

    /// `zoo run`: trains the recipe end to end and exports the model.
    func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result
    /// `zoo eval`: the entry's metric on held-out data, as lines to print and by name.
    func evaluate(_ entry: ZooEntry, _ request: EvaluationRequest) throws -> Evaluation
    /// The entry's network with its weights loaded, in evaluation mode: what `zoo quantize` quantizes.
    func loadModel(_ entry: ZooEntry) throws -> any Module
    /// `zoo attention`: the entry's attention maps on one input (by default: none, an error).
    func attention(_ entry: ZooEntry, _ request: AttentionRequest) throws -> AttentionMaps
}

extension TaskFamily {
    public var needsTokenizer: Bool { true }
    public var countsExamples: Bool { false }
    public var builtInSources: [String: BuiltInSource] { [:] }
    public func attention(_ entry: ZooEntry, _ request: AttentionRequest) throws -> AttentionMaps {
        throw AttentionError("\(entry.name): a \(name.rawValue) model has no attention maps to draw")
    }
}

/// A named corpus or data set a recipe can use as `data.source`: its files, when it has them
/// (an image data set read from a system package has none).
public struct BuiltInSource: Sendable, Equatable {
    public var train: String?
    public var validation: String?
    public var test: String?
    /// Who made the data and under which licence, for the card of every model trained on it.
    public var credit: String?
    public init(train: String? = nil, validation: String? = nil, test: String? = nil, credit: String? = nil) {
        self.train = train
        self.validation = validation
        self.test = test
        self.credit = credit
    }
}
