import Recipes

/// A translation recipe's own keys: the language pair and corpus cleaning (`data.languages`,
/// `data.max_words`, `data.max_ratio`), the BLEU evaluation (`evaluation.bleu`, `evaluation.beam`,
/// `evaluation.length_penalty`) and the card's samples (`export.samples`).
public struct TranslationOptions: RecipeOptions {
    /// `data.languages`: the source and target languages. A split `P` (train, validation, test) is
    /// the files `P.<source>` and `P.<target>`, one sentence a line (fairseq's convention), or
    /// WMT SGML `P.<source>.sgm` and `P.<target>.sgm`, or one tab-separated file `P.tsv`.
    /// Default for a built-in corpus: its own pair.
    public var languages: [String] = []
    /// `data.max_words`: training pairs with a side longer than this many words are dropped
    /// (Moses' clean-corpus-n; pairs longer than the model's context are dropped anyway).
    public var maxWords = 250
    /// `data.max_ratio`: pairs whose word counts differ by more than this ratio are dropped.
    public var maxRatio = 9.0
    /// `evaluation.bleu`: also report BLEU of greedy translations of the validation set.
    public var bleu = true
    /// `evaluation.beam`: the beam size of the final test-set BLEU (1: greedy).
    public var beam = 4
    /// `evaluation.length_penalty`: the length penalty α of the final beam search (Wu et al. 2016).
    public var lengthPenalty = 0.6
    /// `export.samples`: test sentences shown with their translations in the card.
    public var samples = 5

    public init() {}

    static let keys = ["data": ["languages", "max_words", "max_ratio"], "evaluation": ["bleu", "beam", "length_penalty"],
                       "export": ["samples"]]

    /// The built-in parallel corpora: their language pair (either direction).
    static let builtInLanguages: [String: [String]] = ["bible-en-es": ["en", "es"]]

    static func read(_ s: RecipeSections, source: String?) throws -> TranslationOptions {
        var o = TranslationOptions()
        let f = s.data
        let pair = source.flatMap { builtInLanguages[$0] }
        if let v = try f.names("languages", count: 2) {
            guard v[0] != v[1] else { throw f.error("languages", "the source and target languages are both \(RecipeFields.quote(v[0]))") }
            if let pair, Set(v) != Set(pair) {
                throw f.error("languages", "the built-in \(RecipeFields.quote(source!)) corpus has \(pair.joined(separator: " and ")), not \(v.joined(separator: " and "))")
            }
            o.languages = v
        } else {
            guard let pair else { throw f.missing("languages", " (the source and target language, e.g. [en, de])") }
            o.languages = pair
        }
        if let v = try f.int("max_words", .atLeast(1)) { o.maxWords = v }
        if let v = try f.double("max_ratio", .atLeast(1)) { o.maxRatio = v }
        if let e = s.evaluation {
            if let v = try e.bool("bleu") { o.bleu = v }
            if let v = try e.int("beam", .atLeast(1)) { o.beam = v }
            if let v = try e.double("length_penalty", .atLeast(0)) { o.lengthPenalty = v }
        }
        if let v = try s.export?.int("samples", .atLeast(0)) { o.samples = v }
        return o
    }
}

extension Recipe {
    /// The translation keys of this recipe (their defaults in other recipes).
    public var translation: TranslationOptions {
        get { options[TranslationOptions.self] }
        set { options[TranslationOptions.self] = newValue }
    }
}
