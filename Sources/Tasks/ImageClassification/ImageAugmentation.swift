import Layers
import Tensors

/// Training-time augmentation of [C, H, W] images: a random crop with padding and a random
/// horizontal flip, as torchvision's `RandomCrop(size, padding=P)` then `RandomHorizontalFlip()`.
/// The random choices (`Draw`) are made apart from applying them, so a sampler can replay the
/// choices of a run cheaply (see `EpochSampler`); both come from the batch generator, so they
/// are the same for the same seed and resume bit for bit.
public struct ImageAugmentation: Sendable, Equatable {
    /// Pixels of padding on every side; 0: no crop.
    public var cropPadding: Int
    public var horizontalFlip: Bool

    public init(cropPadding: Int = 0, horizontalFlip: Bool = false) {
        precondition(cropPadding >= 0, "negative crop padding \(cropPadding)")
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
    }

    public var isIdentity: Bool { cropPadding == 0 && !horizontalFlip }

    /// One image's random choices: the crop's top-left corner in the padded image (0...2P each;
    /// P, P is the original) and whether to mirror.
    public struct Draw: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var flip: Bool
        public init(x: Int, y: Int, flip: Bool) {
            self.x = x
            self.y = y
            self.flip = flip
        }
    }

    /// The choices for one image; draws nothing for a disabled option.
    public func draw(_ generator: inout RandomGenerator) -> Draw {
        let span = UInt64(2 * cropPadding + 1)
        let x = cropPadding > 0 ? Int(generator.next() % span) : 0
        let y = cropPadding > 0 ? Int(generator.next() % span) : 0
        let flip = horizontalFlip ? generator.next() >> 63 == 1 : false
        return Draw(x: x, y: y, flip: flip)
    }

    /// Writes `source` ([C, H, W]) cropped and flipped by `draw` into `out` (the same size).
    /// Padding is `fill[c]` (the normalized value of a black pixel, so the padding is black as
    /// torchvision pads before normalizing).
    public func apply(_ draw: Draw, source: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                      fill: [Float], into out: UnsafeMutablePointer<Float>) {
        let dx = draw.x - cropPadding, dy = draw.y - cropPadding
        for c in 0..<channels {
            let plane = source + c * height * width, target = out + c * height * width
            let f = fill[fill.count == 1 ? 0 : c]
            for y in 0..<height {
                let sy = y + dy
                let row = target + y * width
                guard sy >= 0 && sy < height else {
                    row.update(repeating: f, count: width)
                    continue
                }
                for x in 0..<width {
                    // Output column x shows the cropped column x, or width-1-x when mirrored.
                    let sx = (draw.flip ? width - 1 - x : x) + dx
                    row[x] = sx >= 0 && sx < width ? plane[sy * width + sx] : f
                }
            }
        }
    }

    /// `apply` on an array, for tests and single images.
    public func apply(_ draw: Draw, to values: [Float], channels: Int, height: Int, width: Int, fill: [Float] = [0]) -> [Float] {
        precondition(values.count == channels * height * width, "\(values.count) values are not \(channels)×\(height)×\(width)")
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                apply(draw, source: src.baseAddress!, channels: channels, height: height, width: width, fill: fill, into: dst.baseAddress!)
            }
        }
        return out
    }
}
