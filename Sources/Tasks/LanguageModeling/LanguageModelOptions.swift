import Recipes

/// A language-model recipe's own keys: `data.documents`, `export.prompt`, `export.sample_tokens`.
public struct LanguageModelOptions: RecipeOptions {
    /// `data.documents`: what a document is; an end-of-text token follows each one.
    public var documents: DocumentUnit = .line
    /// `export.prompt`: the prompt of the sample in the model card.
    public var prompt = ""
    /// `export.sample_tokens`: tokens in the card's sample.
    public var sampleTokens = 60

    public init() {}

    /// `line`: every non-empty line is a document; `paragraph`: blank lines separate them.
    public enum DocumentUnit: String, Sendable, CaseIterable { case line, paragraph }

    static let keys = ["data": ["documents"], "export": ["prompt", "sample_tokens"]]

    static func read(_ s: RecipeSections) throws -> LanguageModelOptions {
        var o = LanguageModelOptions()
        if let v = try s.data.choice("documents", DocumentUnit.allCases.map(\.rawValue)) { o.documents = .init(rawValue: v)! }
        if let f = s.export {
            if let v = try f.string("prompt") { o.prompt = v }
            if let v = try f.int("sample_tokens", .atLeast(0)) { o.sampleTokens = v }
        }
        return o
    }
}

extension Recipe {
    /// The language-model keys of this recipe (their defaults in other recipes).
    public var languageModel: LanguageModelOptions {
        get { options[LanguageModelOptions.self] }
        set { options[LanguageModelOptions.self] = newValue }
    }
}
