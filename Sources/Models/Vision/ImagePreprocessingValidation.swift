import Layers

extension ImagePreprocessing {
    /// Throws a `ConfigError` naming the first field of `fields`' section that `init` would
    /// refuse (a decoded value never went through it) or that does not match `vision`, the
    /// model it feeds (the field `visionField` of the same file): its channels and size. A zero standard deviation would divide every pixel
    /// by zero and print NaN probabilities.
    public func validate(_ fields: ConfigFields, for vision: VisionTransformerConfig?, visionField model: String = "vision") throws {
        guard channels == 1 || channels == 3 else { throw fields.error("channels", "expected 1 (grey) or 3 (RGB), found \(channels)") }
        try fields.int("width", width, in: 1...VisionTransformerConfig.maxImageSide)
        try fields.int("height", height, in: 1...VisionTransformerConfig.maxImageSide)
        try fields.perChannel("mean", mean, channels: channels)
        try fields.perChannel("std", std, channels: channels, .greaterThan(0))
        guard let vision else { return }
        if channels != vision.channels { throw fields.error("channels", "\(channels) differs from \(model).channels \(vision.channels)") }
        if width != vision.imageWidth { throw fields.error("width", "\(width) differs from \(model).imageWidth \(vision.imageWidth)") }
        if height != vision.imageHeight { throw fields.error("height", "\(height) differs from \(model).imageHeight \(vision.imageHeight)") }
    }
}
