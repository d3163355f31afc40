import Foundation
import Tensors

/// y = x·Wᵀ + b, weight [out, in] as `torch.nn.Linear`, initialized as PyTorch does
/// (U(−1/√in, 1/√in) for both).
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout RandomGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        weight = .uniform([outFeatures, inFeatures], -bound, bound, generator: &generator, requiresGrad: true)
        self.bias = bias ? .uniform([outFeatures], -bound, bound, generator: &generator, requiresGrad: true) : nil
    }

    /// `activation(x·Wᵀ + b)`, the activation fused into the same node.
    public func callAsFunction(_ x: Tensor, activation: LinearActivation = .identity) -> Tensor {
        .linear(x, weight: weight, bias: bias, activation: activation)
    }
}
