import Foundation
import Tensors

/// Layer normalization over the last dimension with learned gain and bias.
public final class LayerNorm: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let eps: Float

    public init(_ dim: Int, eps: Float = 1e-5) {
        weight = Tensor(repeating: 1, shape: [dim], requiresGrad: true)
        bias = Tensor(zeros: [dim], requiresGrad: true)
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(gamma: weight, beta: bias, eps: eps) }
}
