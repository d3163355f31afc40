/// A decoded image: `channels` (1 grey or 3 RGB) samples per pixel as Floats in [0, 1].
///
/// Pixels are stored row by row, top to bottom, with a pixel's channels next to each other
/// (H × W × C, the layout of PIL and of Netpbm files); `ImageTransforms.swift` turns an image into
/// the model's channels, size and normalization and finally a [C, H, W] tensor.
public struct Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Sample `c` of the pixel at column `x`, row `y` is `pixels[(y * width + x) * channels + c]`.
    public var pixels: [Float]

    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0 && (channels == 1 || channels == 3), "an image is W×H×1 or W×H×3, not \(width)×\(height)×\(channels)")
        precondition(pixels.count == width * height * channels, "\(pixels.count) samples do not fill \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image of one colour (`value` for every sample).
    public init(width: Int, height: Int, channels: Int, repeating value: Float) {
        self.init(width: width, height: height, channels: channels, pixels: [Float](repeating: value, count: width * height * channels))
    }

    public subscript(x: Int, y: Int, channel: Int) -> Float {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }

    /// Reads a PGM or PPM file (P2, P3, P5, P6; 8 or 16 bits), scaling samples by 1 / maxval.
    public init(contentsOfFile path: String) throws {
        self = try NetpbmImage.read(path: path).image
    }

    /// Writes the image atomically as PGM (1 channel) or PPM (3 channels): binary (P5 / P6) or
    /// plain ASCII (P2 / P3), with samples rounded to `maxval` levels (255: 8 bits; up to 65535).
    public func write(to path: String, maxval: Int = 255, ascii: Bool = false, comment: String? = nil) throws {
        guard (1...65535).contains(maxval) else { throw ImageError.writeFailed(file: path, reason: "maxval \(maxval) is not in 1...65535") }
        try NetpbmImage(self, maxval: maxval, ascii: ascii).write(to: path, comment: comment)
    }
}
