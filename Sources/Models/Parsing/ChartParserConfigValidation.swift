import Layers

extension ChartParserConfig {
    /// Throws a `ConfigError` naming the first field of `fields`' section that cannot build the
    /// parser: an encoder the stacks cannot build or with an odd width (the fencepost halves),
    /// no span labels or no tags (the heads would have no classes), a span MLP out of range.
    public func validate(_ fields: ConfigFields) throws {
        let encoderFields = fields.section("encoder")
        try encoder.validate(encoderFields, as: .encoder(tokens: true))
        guard encoder.dModel % 2 == 0 else {
            throw encoderFields.error("dModel", "expected an even number (the span features are two halves), found \(encoder.dModel)")
        }
        try fields.names("labels", labels, count: 1, orMore: true, what: "label")
        try fields.names("tags", tags, count: 1, orMore: true, what: "tag")
        try fields.int("spanHidden", spanHidden, in: 1...TransformerConfig.Limits.ffnDim)
    }

    /// A lower bound on the values the parser stores (see `TransformerConfig.minimumParameterCount`):
    /// the encoder, the span classifier and the tagging head.
    public var minimumParameterCount: Int {
        encoder.minimumParameterCount(as: .encoder(tokens: true))
            + spanHidden * (encoder.dModel + labels.count) + encoder.dModel * tags.count
    }
}
