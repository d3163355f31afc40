import Tensors

/// The convolutional stem's shape: one 3×3 convolution block per entry, `channels[i]` outputs
/// with stride `strides[i]` (Xiao et al. 2021, "Early Convolutions Help Transformers See Better").
public struct ConvStemConfig: Codable, Sendable, Equatable {
    public var channels: [Int]
    public var strides: [Int]

    public init(channels: [Int], strides: [Int]) {
        self.channels = channels
        self.strides = strides
    }

    /// The feature map (channels, height, width) the stem makes of a `channels`×`height`×`width`
    /// image: each 3×3, padding-1 block maps a side n to (n − 1) / stride + 1.
    public func outputSize(channels: Int, height: Int, width: Int) -> (channels: Int, height: Int, width: Int) {
        var h = height, w = width
        for s in strides {
            h = convolutionOutputSize(h, kernel: 3, stride: s, padding: 1)
            w = convolutionOutputSize(w, kernel: 3, stride: s, padding: 1)
        }
        return (self.channels.last ?? channels, h, w)
    }
}

/// conv 3×3 (no bias: the batch norm's shift replaces it) → BatchNorm2d → ReLU, named as
/// torchvision's `Conv2dNormActivation` (a Sequential: `0` is the conv, `1` the norm).
public final class ConvNormReLU: Module {
    public let conv: Conv2d
    public let norm: BatchNorm2d

    public static var parameterNameOverrides: [String: String] { ["conv": "0", "norm": "1"] }

    public init(_ inChannels: Int, _ outChannels: Int, stride: Int, generator: inout RandomGenerator) {
        conv = Conv2d(inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &generator)
        norm = BatchNorm2d(outChannels)
    }

    /// x [B, in, H, W] → [B, out, H', W'].
    public func callAsFunction(_ x: Tensor) -> Tensor { norm(conv(x)).relu() }
}

/// A stack of `ConvNormReLU` blocks that turns images into a smaller feature map for the patch
/// embedding. Its names are those of `nn.Sequential(*blocks)`: `0.0.weight`, `0.1.running_mean`, …
public final class ConvStem: Module {
    public let blocks: [ConvNormReLU]
    public let config: ConvStemConfig

    public static var parameterNameOverrides: [String: String] { ["blocks": ""] }

    public init(_ config: ConvStemConfig, inChannels: Int, generator: inout RandomGenerator) {
        precondition(!config.channels.isEmpty && config.channels.count == config.strides.count,
                     "a convolutional stem needs one stride per block, got channels \(config.channels), strides \(config.strides)")
        var c = inChannels
        var blocks: [ConvNormReLU] = []
        for (out, s) in zip(config.channels, config.strides) {
            blocks.append(ConvNormReLU(c, out, stride: s, generator: &generator))
            c = out
        }
        self.blocks = blocks
        self.config = config
    }

    /// images [B, C, H, W] → [B, channels.last, H', W'] (see `ConvStemConfig.outputSize`).
    public func callAsFunction(_ images: Tensor) -> Tensor { blocks.reduce(images) { x, block in block(x) } }
}
