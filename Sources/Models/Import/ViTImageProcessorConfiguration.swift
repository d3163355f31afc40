import Foundation

/// A Hugging Face `preprocessor_config.json` of a ViT (transformers' `ViTImageProcessor`): the
/// size images are resized to and the mean and standard deviation they are normalized with,
/// after scaling to [0, 1].
///
/// Each field is nil (or true) when the file leaves it out; `ViTImport.preprocessing` fills in
/// `ViTImageProcessor`'s defaults: the model's image size, mean and std 0.5.
///
/// ```swift
/// let p = try JSONDecoder().decode(ViTImageProcessorConfiguration.self, from: Data(contentsOf: url))
/// p.size?.width   // 224 for "size": 224 or "size": {"height": 224, "width": 224}
/// ```
public struct ViTImageProcessorConfiguration: Codable, Equatable, Sendable {
    /// An image size in pixels. The file writes a square as one integer (older files) or an
    /// object `{"height": h, "width": w}`; it is written back as the object.
    public struct Size: Codable, Equatable, Sendable {
        public var height: Int
        public var width: Int

        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }

        enum CodingKeys: String, CodingKey {
            case height, width
        }

        public init(from decoder: any Decoder) throws {
            if let side = try? decoder.singleValueContainer().decode(Int.self) {
                self.init(height: side, width: side)
                return
            }
            guard let c = try? decoder.container(keyedBy: CodingKeys.self) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "must be an integer or {\"height\": h, \"width\": w}"))
            }
            self.init(height: try c.decodePositiveInteger(forKey: .height), width: try c.decodePositiveInteger(forKey: .width))
        }
    }

    /// `size`: what images are resized to; nil leaves the model's `image_size`.
    public var size: Size?
    /// `image_mean`: one value for every channel or one per channel; nil is 0.5.
    public var imageMean: [Double]?
    /// `image_std`: one value for every channel or one per channel; nil is 0.5.
    public var imageStd: [Double]?
    /// `do_normalize`: false means no normalization (mean 0, std 1); true unless given.
    public var doNormalize: Bool

    enum CodingKeys: String, CodingKey {
        case size
        case imageMean = "image_mean"
        case imageStd = "image_std"
        case doNormalize = "do_normalize"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imageMean = try c.decodeIfPresent([Double].self, forKey: .imageMean)
        imageStd = try c.decodeIfPresent([Double].self, forKey: .imageStd)
        doNormalize = try c.decodeIfPresent(Bool.self, forKey: .doNormalize) ?? true
        size = try c.decodeIfPresent(Size.self, forKey: .size)
    }
}
