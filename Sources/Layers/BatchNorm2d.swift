import Tensors

/// Batch normalization over the channels of [B, C, H, W] as `torch.nn.BatchNorm2d` (affine,
/// tracking running statistics): `weight` and `bias` [C] are trained; `running_mean` and
/// `running_var` [C] are buffers, saved and loaded with the weights. Training normalizes with
/// the batch's statistics and updates the running ones (momentum 0.1, unbiased variance);
/// evaluation (`Module.setTraining(false)`) uses the running ones. PyTorch's
/// `num_batches_tracked` is not kept: it only matters when momentum is None.
public final class BatchNorm2d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let eps: Float
    public let momentum: Float
    public var isTraining = true

    public static var bufferNames: Set<String> { ["runningMean", "runningVar"] }

    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        precondition(channels > 0, "batch norm over \(channels) channels")
        weight = Tensor(repeating: 1, shape: [channels], requiresGrad: true)
        bias = Tensor(zeros: [channels], requiresGrad: true)
        runningMean = Tensor(zeros: [channels])
        runningVar = Tensor(repeating: 1, shape: [channels])
        self.eps = eps
        self.momentum = momentum
    }

    /// x [B, C, H, W] → the same shape. While training, also updates the running statistics.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.batchNorm(gamma: weight, beta: bias, runningMean: runningMean, runningVar: runningVar,
                    training: isTraining, momentum: momentum, eps: eps)
    }
}
