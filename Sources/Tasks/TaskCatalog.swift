// The umbrella of the rooms above the numeric floors: `import Tasks` gives the families and every
// module they stand on, for the `zoo` tool and the benchmarks.
@_exported import Data
@_exported import Metrics
@_exported import Models
@_exported import ModelZoo
@_exported import Recipes
@_exported import Training

// The task families this package ships, one line each. A new family is a folder beside these
// (its TrainingTask, RecipeOptions, run, zoo loader and eval) and one line here.

extension TaskCatalog {
    /// The shipped families, in the order `zoo list --help` names them.
    public static let shipped: [any TaskFamily] = [
        LanguageModelFamily(),
        TranslationFamily(),
        ImageClassificationFamily(),
        ParsingFamily(),
    ]

    /// Registers the shipped families (the `zoo` tool does this at start; so do tests).
    public static func registerShipped() {
        for family in shipped { register(family) }
    }
}
