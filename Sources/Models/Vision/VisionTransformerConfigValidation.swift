import Layers

extension VisionTransformerConfig {
    /// The longest side of an input image (and of a preprocessing's output): 4096 pixels, far
    /// above any ViT's 224–518, far below what one image's buffers could not hold.
    public static let maxImageSide = 4_096
    /// The most classes a classifier may tell apart.
    public static let maxLabels = 1 << 20

    /// Throws a `ConfigError` naming the first field of `fields`' section that cannot build the
    /// classifier: sizes out of range, a patch that does not divide the image (or the stem's
    /// output), no labels, an encoder the stacks cannot build or whose positions are not
    /// 1 + the patches.
    public func validate(_ fields: ConfigFields) throws {
        try fields.int("imageWidth", imageWidth, in: 1...Self.maxImageSide)
        try fields.int("imageHeight", imageHeight, in: 1...Self.maxImageSide)
        guard channels == 1 || channels == 3 else { throw fields.error("channels", "expected 1 (grey) or 3 (RGB), found \(channels)") }
        try stem?.validate(fields.section("stem"))
        let input = patchInput
        let what = stem == nil ? "the \(input.width)×\(input.height) image" : "the stem's \(input.width)×\(input.height) output"
        try fields.int("patchSize", patchSize, in: 1...min(input.width, input.height))
        guard input.width % patchSize == 0 && input.height % patchSize == 0 else {
            throw fields.error("patchSize", "\(patchSize) does not divide \(what)")
        }
        try fields.names("labels", labels, count: 1, orMore: true, what: "label")
        if labels.count > Self.maxLabels { throw fields.error("labels", "expected a list of at most \(Self.maxLabels) labels, found \(labels.count)") }
        let encoderFields = fields.section("encoder")
        try encoder.validate(encoderFields, as: .encoder(tokens: false))
        guard encoder.maxLength == 1 + patchCount else {
            throw encoderFields.error("maxLength", "expected 1 + the \(patchCount) patches of \(what) (\(fields.field("patchSize")) \(patchSize)), found \(encoder.maxLength)")
        }
    }

    /// A lower bound on the values the classifier stores (see `TransformerConfig.minimumParameterCount`):
    /// the stem's kernels, the patch projection, the encoder, the positions and the head.
    public var minimumParameterCount: Int {
        let d = encoder.dModel
        return (stem?.minimumParameterCount(inChannels: channels) ?? 0) + patchInput.channels * patchSize * patchSize * d
            + encoder.minimumParameterCount(as: .encoder(tokens: false)) + d * labels.count
    }
}
