import Layers

/// Every hyper-parameter of a chart parser, and the label sets it scores: what a zoo entry's
/// `config.json` holds under `parser`.
public struct ChartParserConfig: Codable, Sendable, Equatable {
    /// The encoder over the sentence's subword pieces (`encoderLayers` layers; decoder fields unused).
    public var encoder: TransformerConfig
    /// Span labels: index 0 is the empty label ∅ (no constituent); unary chains are one label
    /// joined by `::` (`S::VP`), outermost first.
    public var labels: [String]
    /// Part-of-speech tags the tagging head predicts.
    public var tags: [String]
    /// The hidden width of the span classifier's MLP.
    public var spanHidden: Int

    public init(encoder: TransformerConfig, labels: [String], tags: [String], spanHidden: Int = 250) {
        self.encoder = encoder
        self.labels = labels
        self.tags = tags
        self.spanHidden = spanHidden
    }

    /// The separator of a collapsed unary chain's labels.
    public static let chainSeparator = "::"
}
