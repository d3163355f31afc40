import Tensors

/// A 2-D convolution as `torch.nn.Conv2d` (square kernel, no dilation or groups): weight
/// [out, in, k, k], bias [out]. Initialized as PyTorch does: Kaiming-uniform with a = √5 for the
/// weight and U(−1/√fanIn, 1/√fanIn) for the bias, which are the same bound 1/√(in·k·k).
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "bad convolution \(inChannels) → \(outChannels), kernel \(kernelSize), stride \(stride), padding \(padding)")
        // gain √(2 / (1 + 5)) times √(3 / fanIn) is 1/√fanIn.
        let bound = 1 / Float(inChannels * kernelSize * kernelSize).squareRoot()
        weight = .uniform([outChannels, inChannels, kernelSize, kernelSize], -bound, bound, generator: &generator, requiresGrad: true)
        self.bias = bias ? .uniform([outChannels], -bound, bound, generator: &generator, requiresGrad: true) : nil
        self.stride = stride
        self.padding = padding
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    public var kernelSize: Int { weight.shape[2] }

    /// (height, width) of the output for an input of `height`×`width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        (convolutionOutputSize(height, kernel: kernelSize, stride: stride, padding: padding),
         convolutionOutputSize(width, kernel: kernelSize, stride: stride, padding: padding))
    }

    /// x [B, in, H, W] → [B, out, H', W'].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        .conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}
