import Layers
import Models
import Recipes

/// An image-classification recipe's own keys: normalization and augmentation (`data.mean`,
/// `data.std`, `data.crop_padding`, `data.horizontal_flip`), the ViT's input (`model.image_size`,
/// `model.channels`, `model.patch_size`, `model.stem`) and images per step (`training.batch_size`).
public struct ImageClassificationOptions: RecipeOptions {
    /// `data.mean`, `data.std`: per-channel mean and standard deviation the [0, 1] pixels are
    /// normalized by (one value applies to every channel). Default for fashion-mnist its training
    /// set's 0.2860 / 0.3530; otherwise 0.5 / 0.5 (Hugging Face's ViT).
    public var mean: [Float]?
    public var std: [Float]?
    /// `data.crop_padding`: random-crop augmentation, pad P pixels of black on every side and crop
    /// back to the original size at a random offset (torchvision's `RandomCrop(size, padding=P)`); 0 is off.
    public var cropPadding = 0
    /// `data.horizontal_flip`: mirror each training image left to right with probability 1/2.
    public var horizontalFlip = false
    /// `model.image_size`: the (square) input size the model sees; default the data's image size.
    public var imageSize: Int?
    /// `model.channels`: input channels (1 grey, 3 RGB); default the data's.
    public var channels: Int?
    /// `model.patch_size`: required; the side of the square patches (must divide image_size).
    public var patchSize = 0
    /// `model.stem`: an optional convolutional stem before the patch embedding.
    public var stem: Stem?
    /// `training.batch_size`: required; images per optimizer step (also stored as the recipe's
    /// `batchTokens`, so the trainer's "tokens" are images).
    public var batchSize = 0

    public init() {}

    /// `stem: {channels: [32, 64], strides: [1, 2]}`: one 3×3 convolution (batch norm, ReLU)
    /// per entry, with its output channels and stride.
    public struct Stem: Sendable, Equatable {
        public var channels: [Int]
        public var strides: [Int]
        public init(channels: [Int], strides: [Int]) {
            self.channels = channels
            self.strides = strides
        }
    }

    static let keys = ["data": ["mean", "std", "crop_padding", "horizontal_flip"],
                       "model": ["image_size", "channels", "patch_size", "stem"], "training": ["batch_size"]]
    static let stemKeys = ["channels", "strides"]

    /// The built-in image data sets' normalization (mean, std of the training pixels).
    static let builtInNormalization: [String: (mean: [Float], std: [Float])] = ["fashion-mnist": ([0.2860], [0.3530])]

    /// Read within the zoo's limits for a classifier's config.json (`VisionTransformerConfig.validate`),
    /// so no run trains a model its export would refuse.
    static func read(_ s: RecipeSections) throws -> ImageClassificationOptions {
        var o = ImageClassificationOptions()
        let d = s.data
        o.mean = try d.numberList("mean", .between(0, 1, openHigh: false)).map { $0.map { Float($0) } }
        o.std = try d.numberList("std", .greaterThan(0)).map { $0.map { Float($0) } }
        if let mean = o.mean, let std = o.std, mean.count != std.count, mean.count != 1, std.count != 1 {
            throw d.error("std", "\(std.count) standard deviations for \(mean.count) means")
        }
        if let v = try d.int("crop_padding", .atLeast(0)) { o.cropPadding = v }
        if let v = try d.bool("horizontal_flip") { o.horizontalFlip = v }

        let m = s.model
        o.imageSize = try m.int("image_size", .integers(1...VisionTransformerConfig.maxImageSide))
        if let c = try m.int("channels", .atLeast(1)) {
            guard c == 1 || c == 3 else { throw m.error("channels", "expected 1 (grey) or 3 (RGB), found \(c)") }
            o.channels = c
        }
        guard let patch = try m.int("patch_size", .atLeast(1)) else { throw m.missing("patch_size") }
        if let size = o.imageSize, size % patch != 0 {
            throw m.error("patch_size", "patch_size \(patch) does not divide image_size \(size)")
        }
        o.patchSize = patch
        if let stem = try m.section("stem", allowed: stemKeys) {
            guard let channels = try stem.integers("channels", .integers(1...ConvStemConfig.maxChannels)) else { throw stem.missing("channels") }
            guard let strides = try stem.integers("strides", .between(1, 2, openHigh: false)) else { throw stem.missing("strides") }
            guard channels.count == strides.count else {
                throw stem.error("strides", "\(strides.count) strides for \(channels.count) convolutions (one each)")
            }
            o.stem = Stem(channels: channels, strides: strides)
        }

        // Images are counted, not tokens: batch_size images per step.
        guard let batchSize = try s.training.int("batch_size", .atLeast(1)) else { throw s.training.missing("batch_size", " (images per step)") }
        o.batchSize = batchSize
        return o
    }
}

extension Recipe {
    /// The image-classification keys of this recipe (their defaults in other recipes).
    public var images: ImageClassificationOptions {
        get { options[ImageClassificationOptions.self] }
        set { options[ImageClassificationOptions.self] = newValue }
    }
}
