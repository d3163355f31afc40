import Layers
import Models
import Recipes

/// A parsing recipe's own keys: which parser (`model.parser`); the chart parser's span classifier
/// width (`model.span_hidden`) and tagging loss weight (`training.tag_loss_weight`); the
/// sequence-to-sequence parser's preterminal tokens (`model.preterminals`) and its beam search
/// (`evaluation.beam`, `evaluation.length_penalty`, `evaluation.max_extra_length`); the other
/// parsers a card compares with (`evaluation.compare_with`).
public struct ParsingOptions: RecipeOptions {
    /// `model.parser`: `chart` (Kitaev & Klein 2018: encoder, span scores, exact CKY) or `seq2seq`
    /// (the paper's §6.3, Vinyals et al. 2015: encoder–decoder writing the bracketed tree).
    public var parser = Parser.chart
    /// `model.span_hidden`: the chart parser's span classifier hidden width.
    public var spanHidden = 250
    /// `training.tag_loss_weight`: the chart parser's part-of-speech loss weight beside the span loss.
    public var tagLossWeight: Float = 0.5
    /// `model.preterminals`: the sequence-to-sequence parser writes each word as its part-of-speech
    /// tag (`tags`) or as `XX` (`xx`, Vinyals et al.'s choice).
    public var preterminals = Preterminals.tags
    /// `evaluation.beam`, `evaluation.length_penalty`: the sequence-to-sequence parser's search
    /// (the paper: beam 21, α 0.3).
    public var beam = 4
    public var lengthPenalty = 0.3
    /// `evaluation.max_extra_length`: output length at most the input's pieces plus this (the paper: 300).
    public var maxExtraLength = 300
    /// `evaluation.compare_with`: zoo entries (names or directories) of other parsers trained on the same treebank, whose
    /// development F1 the card lists beside this model's (the selection on dev, made visible).
    public var compareWith: [String] = []

    public init() {}

    /// `model.parser`: span scores and CKY (chart), or a tree written as brackets (seq2seq).
    public enum Parser: String, Sendable, CaseIterable { case chart, seq2seq }
    /// `model.preterminals`: a seq2seq tree writes each word as its tag, or as XX.
    public enum Preterminals: String, Sendable, CaseIterable { case tags, xx }

    static let keys = ["model": ["parser", "span_hidden", "preterminals"], "training": ["tag_loss_weight"],
                       "evaluation": ["beam", "length_penalty", "max_extra_length", "compare_with"]]

    /// Read within the zoo's limits for a parser's config.json, so no run trains a parser its
    /// export would refuse.
    static func read(_ s: RecipeSections) throws -> ParsingOptions {
        var o = ParsingOptions()
        if let v = try s.model.choice("parser", Parser.allCases.map(\.rawValue)) { o.parser = .init(rawValue: v)! }
        if let v = try s.model.int("span_hidden", .integers(1...TransformerConfig.Limits.ffnDim)) { o.spanHidden = v }
        if let v = try s.model.choice("preterminals", Preterminals.allCases.map(\.rawValue)) { o.preterminals = .init(rawValue: v)! }
        if let v = try s.training.float("tag_loss_weight", .atLeast(0)) { o.tagLossWeight = v }
        if let e = s.evaluation {
            if let v = try e.int("beam", .integers(1...Seq2SeqParserConfig.maxBeam)) { o.beam = v }
            if let v = try e.double("length_penalty", .atLeast(0)) { o.lengthPenalty = v }
            if let v = try e.int("max_extra_length", .integers(1...TransformerConfig.Limits.maxLength)) { o.maxExtraLength = v }
            if let v = try e.strings("compare_with") { o.compareWith = v }
        }
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
