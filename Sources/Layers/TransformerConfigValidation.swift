extension TransformerConfig {
    /// What a configuration builds on the shared stacks, for the checks that depend on it.
    public enum Stack: Sendable, Equatable {
        /// GPT: `decoderLayers` self-attention blocks, no encoder.
        case decoderOnly
        /// The paper's Transformer: an encoder and a decoder that attends to it.
        case encoderDecoder
        /// An encoder alone (a classifier's or a parser's); `tokens` false for one that reads
        /// image patches, not a vocabulary.
        case encoder(tokens: Bool)
    }

    /// The largest sizes a configuration may give. Far above any model this zoo trains or
    /// imports; they keep a typo from asking for terabytes (the weights file bounds the rest, see
    /// `minimumParameterCount`).
    public enum Limits {
        public static let dModel = 65_536
        public static let ffnDim = 262_144
        public static let layers = 1_024
        public static let vocabSize = 4_194_304
        public static let maxLength = 65_536
    }

    /// Throws a `ConfigError` naming the first field of `fields`' section that cannot build
    /// `stack` (a value out of its range, heads that do not divide d_model, …); layer
    /// preconditions then hold for any configuration that passes.
    public func validate(_ fields: ConfigFields, as stack: Stack) throws {
        try fields.int("dModel", dModel, in: 1...Limits.dModel)
        try fields.int("heads", heads, in: 1...dModel)
        guard dModel % heads == 0 else { throw fields.error("heads", "\(heads) does not divide \(fields.field("dModel")) \(dModel)") }
        try fields.int("ffnDim", ffnDim, in: 1...Limits.ffnDim)
        try fields.int("encoderLayers", encoderLayers, in: 0...Limits.layers)
        try fields.int("decoderLayers", decoderLayers, in: 0...Limits.layers)
        let tokens: Bool
        switch stack {
        case .decoderOnly:
            tokens = true
            if encoderLayers != 0 { throw fields.error("encoderLayers", "a decoder-only model has no encoder: expected 0, found \(encoderLayers)") }
            if targetVocabSize != nil { throw fields.error("targetVocabSize", "a decoder-only model has one vocabulary: expected none") }
        case .encoderDecoder:
            tokens = true
        case .encoder(let reads):
            tokens = reads
            if decoderLayers != 0 { throw fields.error("decoderLayers", "an encoder has no decoder: expected 0, found \(decoderLayers)") }
            if targetVocabSize != nil { throw fields.error("targetVocabSize", "an encoder has no output vocabulary: expected none") }
        }
        try fields.int("vocabSize", vocabSize, in: (tokens ? 1 : 0)...Limits.vocabSize)
        if let targetVocabSize {
            try fields.int("targetVocabSize", targetVocabSize, in: 1...Limits.vocabSize)
            if shareEmbeddings {
                throw fields.error("shareEmbeddings", "a target vocabulary of its own (\(fields.field("targetVocabSize")) \(targetVocabSize)) needs separate embeddings: expected false")
            }
        }
        // The decoder of an encoder–decoder starts from a start token: with one position there is
        // no room for any output (an empty translation, not an error).
        try fields.int("maxLength", maxLength, in: (stack == .encoderDecoder ? 2 : 1)...Limits.maxLength)
        try fields.number("dropout", Double(dropout), .between(0, 1, openHigh: true))
        try fields.number("layerNormEps", Double(layerNormEps), .greaterThan(0))
    }

    /// A lower bound on the values a `stack` model of this configuration stores: the token
    /// tables, the learned positions and each layer's attention and feed-forward matrices (biases,
    /// norms, cross-attention and heads left out). Every model on the stacks holds at least this
    /// many, so a weights file with fewer values cannot be this model's. Call after `validate`,
    /// whose limits keep the products far from overflowing.
    public func minimumParameterCount(as stack: Stack) -> Int {
        var count = vocabSize * dModel
        if stack == .encoderDecoder && !shareEmbeddings { count += outputVocabSize * dModel }
        if positional == .learned { count += maxLength * dModel }
        count += (encoderLayers + decoderLayers) * (4 * dModel * dModel + 2 * dModel * ffnDim)
        return count
    }
}
