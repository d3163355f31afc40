import Layers

extension Seq2SeqParserConfig {
    /// The widest beam a parse may search.
    public static let maxBeam = 64

    /// Throws a `ConfigError` naming the first field of `fields`' section that the parser cannot
    /// use with `model`, its encoder–decoder (checked first, at `modelFields`): one target token
    /// per output of the decoder, a beam, a length penalty and a length margin in range.
    public func validate(_ fields: ConfigFields, model: TransformerConfig, modelFields: ConfigFields) throws {
        guard targets.count == model.outputVocabSize else {
            let size = modelFields.field(model.targetVocabSize == nil ? "vocabSize" : "targetVocabSize")
            throw fields.error("targets", "expected one target token per output of the decoder (\(size) \(model.outputVocabSize)), found \(targets.count)")
        }
        try fields.names("targets", targets, count: targets.count, what: "target token")
        try fields.int("beam", beam, in: 1...Self.maxBeam)
        try fields.number("lengthPenalty", lengthPenalty, .atLeast(0))
        try fields.int("maxExtraLength", maxExtraLength, in: 0...TransformerConfig.Limits.maxLength)
    }
}
