import Foundation
import Tensors

/// A lookup table of `count` vectors of size `dim`, initialized N(0, 1) as `torch.nn.Embedding`.
public final class Embedding: Module {
    public let weight: Tensor

    public init(_ count: Int, _ dim: Int, std: Float = 1, generator: inout RandomGenerator) {
        weight = .randn([count, dim], std: std, generator: &generator, requiresGrad: true)
    }

    /// ids with shape `shape` → `shape + [dim]`.
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor { weight.gatherRows(ids, shape: shape) }
}
