import Data
import Layers
import Tensors

/// What a model does to an image before it sees it: convert to its channels, resize to its input
/// size, normalize each channel, lay out as [C, H, W]. The order is that of Hugging Face's
/// `ViTImageProcessor` (convert, resize, rescale to [0, 1], normalize); our images are already in [0, 1].
public struct ImagePreprocessing: Equatable, Sendable, Codable {
    public var channels: Int
    public var width: Int
    public var height: Int
    /// Per-channel mean and standard deviation (one value applies to every channel).
    public var mean: [Float]
    public var std: [Float]
    /// Antialias when shrinking (PIL's and torchvision's default); see `Image.resized`.
    public var antialias: Bool

    public init(channels: Int, width: Int, height: Int, mean: [Float] = [0], std: [Float] = [1], antialias: Bool = true) {
        precondition(channels == 1 || channels == 3, "a model takes 1 or 3 channels, not \(channels)")
        precondition(width > 0 && height > 0, "the model's input size must be positive, not \(width)×\(height)")
        precondition(mean.count == 1 || mean.count == channels, "\(mean.count) means for \(channels) channels")
        precondition(std.count == 1 || std.count == channels, "\(std.count) standard deviations for \(channels) channels")
        precondition(std.allSatisfy { $0 > 0 }, "standard deviations must be positive: \(std)")
        self.channels = channels
        self.width = width
        self.height = height
        self.mean = mean
        self.std = std
        self.antialias = antialias
    }

    /// The image as the model's input values, [C, H, W] flattened.
    public func values(_ image: Image) -> [Float] {
        image.converted(toChannels: channels).resized(width: width, height: height, antialias: antialias).chwValues(mean: mean, std: std)
    }

    /// The image as a [C, H, W] tensor.
    public func callAsFunction(_ image: Image) -> Tensor {
        Tensor(values(image), shape: [channels, height, width])
    }

    /// Images stacked into an [N, C, H, W] tensor.
    public func batch(_ images: [Image]) -> Tensor {
        var all: [Float] = []
        all.reserveCapacity(images.count * channels * height * width)
        for image in images { all += values(image) }
        return Tensor(all, shape: [images.count, channels, height, width])
    }
}

extension Image {
    /// The image with `channels` channels: grey is replicated into R, G and B; RGB becomes grey
    /// with the ITU-R BT.601 luma weights L = 0.299 R + 0.587 G + 0.114 B, as PIL's `convert("L")`
    /// (which computes the same sum in 16-bit fixed point and rounds to 8 bits).
    public func converted(toChannels channels: Int) -> Image {
        precondition(channels == 1 || channels == 3, "images have 1 or 3 channels, not \(channels)")
        if channels == self.channels { return self }
        let n = width * height
        var out = [Float](repeating: 0, count: n * channels)
        if channels == 3 {
            for i in 0..<n { (out[3 * i], out[3 * i + 1], out[3 * i + 2]) = (pixels[i], pixels[i], pixels[i]) }
        } else {
            for i in 0..<n { out[i] = 0.299 * pixels[3 * i] + 0.587 * pixels[3 * i + 1] + 0.114 * pixels[3 * i + 2] }
        }
        return Image(width: width, height: height, channels: channels, pixels: out)
    }

    /// The image resized to `width` × `height` with bilinear interpolation.
    ///
    /// Convention: half-pixel centres (PyTorch's `align_corners=False`): output pixel `i` samples
    /// the input at `(i + 0.5) · in/out − 0.5`, clamped at the borders. With `antialias` (the
    /// default) shrinking widens the triangle filter by the scale factor, exactly as PIL's
    /// `Image.resize(size, Image.BILINEAR)` and torchvision's `Resize(antialias=True)`; enlarging
    /// is plain bilinear either way. Without it shrinking samples only the two nearest pixels, as
    /// `torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False)`.
    /// Rows are filtered first, then columns (PIL's order), in Float.
    public func resized(width newWidth: Int, height newHeight: Int, antialias: Bool = true) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "cannot resize to \(newWidth)×\(newHeight)")
        if newWidth == width && newHeight == height { return self }
        let c = channels
        var horizontal = [Float](repeating: 0, count: newWidth * height * c)
        if newWidth == width {
            horizontal = pixels
        } else {
            let taps = Self.bilinearTaps(input: width, output: newWidth, antialias: antialias)
            for y in 0..<height {
                for (x, tap) in taps.enumerated() {
                    for ch in 0..<c {
                        var sum: Float = 0
                        for (k, w) in tap.weights.enumerated() { sum += w * pixels[(y * width + tap.start + k) * c + ch] }
                        horizontal[(y * newWidth + x) * c + ch] = sum
                    }
                }
            }
        }
        if newHeight == height { return Image(width: newWidth, height: height, channels: c, pixels: horizontal) }
        var out = [Float](repeating: 0, count: newWidth * newHeight * c)
        let taps = Self.bilinearTaps(input: height, output: newHeight, antialias: antialias)
        let row = newWidth * c
        for (y, tap) in taps.enumerated() {
            for (k, w) in tap.weights.enumerated() {
                let source = (tap.start + k) * row
                for i in 0..<row { out[y * row + i] += w * horizontal[source + i] }
            }
        }
        return Image(width: newWidth, height: newHeight, channels: c, pixels: out)
    }

    /// For each output index, the first input index it reads and the weights of consecutive
    /// inputs: PIL's `precompute_coeffs` with the triangle filter (support 1, scaled by the
    /// shrink factor when antialiasing), normalized so the weights sum to 1 at the borders too.
    static func bilinearTaps(input: Int, output: Int, antialias: Bool) -> [(start: Int, weights: [Float])] {
        let scale = Double(input) / Double(output)
        let filterScale = antialias ? max(scale, 1) : 1
        let support = filterScale
        return (0..<output).map { i in
            let center = (Double(i) + 0.5) * scale
            let lo = max(Int(center - support + 0.5), 0)
            let hi = min(Int(center + support + 0.5), input)
            var weights = (lo..<hi).map { j in max(0, 1 - abs((Double(j) + 0.5 - center) / filterScale)) }
            let total = weights.reduce(0, +)
            if total > 0 { weights = weights.map { $0 / total } }
            return (lo, weights.map { Float($0) })
        }
    }

    /// The samples normalized per channel, `(x − mean[c]) / std[c]`, laid out [C, H, W] (channels
    /// first, as PyTorch's images). One mean or std applies to every channel.
    public func chwValues(mean: [Float] = [0], std: [Float] = [1]) -> [Float] {
        precondition(mean.count == 1 || mean.count == channels, "\(mean.count) means for \(channels) channels")
        precondition(std.count == 1 || std.count == channels, "\(std.count) standard deviations for \(channels) channels")
        let n = width * height
        var out = [Float](repeating: 0, count: n * channels)
        for ch in 0..<channels {
            let m = mean[mean.count == 1 ? 0 : ch], s = std[std.count == 1 ? 0 : ch]
            for i in 0..<n { out[ch * n + i] = (pixels[i * channels + ch] - m) / s }
        }
        return out
    }

    /// The normalized samples as a [C, H, W] tensor.
    public func tensor(mean: [Float] = [0], std: [Float] = [1]) -> Tensor {
        Tensor(chwValues(mean: mean, std: std), shape: [channels, height, width])
    }
}
