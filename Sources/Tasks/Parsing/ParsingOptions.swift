import Recipes

/// A parsing recipe's own keys: which parser (`model.parser`), its span classifier's width
/// (`model.span_hidden`), and the weight of the tagging loss (`training.tag_loss_weight`).
public struct ParsingOptions: RecipeOptions {
    /// `model.parser`: `chart` (Kitaev & Klein 2018: encoder, span scores, exact CKY).
    public var parser = Parser.chart
    /// `model.span_hidden`: the span classifier's hidden width.
    public var spanHidden = 250
    /// `training.tag_loss_weight`: the part-of-speech loss's weight beside the span loss.
    public var tagLossWeight: Float = 0.5

    public init() {}

    public enum Parser: String, Sendable, CaseIterable { case chart }

    static let keys = ["model": ["parser", "span_hidden"], "training": ["tag_loss_weight"]]

    static func read(_ s: RecipeSections) throws -> ParsingOptions {
        var o = ParsingOptions()
        if let v = try s.model.choice("parser", Parser.allCases.map(\.rawValue)) { o.parser = .init(rawValue: v)! }
        if let v = try s.model.int("span_hidden", .atLeast(1)) { o.spanHidden = v }
        if let v = try s.training.float("tag_loss_weight", .atLeast(0)) { o.tagLossWeight = v }
        return o
    }
}

extension Recipe {
    /// The parsing keys of this recipe (their defaults in other recipes).
    public var parsing: ParsingOptions {
        get { options[ParsingOptions.self] }
        set { options[ParsingOptions.self] = newValue }
    }
}
