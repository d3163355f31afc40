import Foundation
import Tensors

/// A shared, seedable source of randomness for a model's dropout (one per model, so a
/// checkpoint can save and restore it).
public final class RandomSource {
    public var generator: RandomGenerator
    public init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
}

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

/// A lookup table of `count` vectors of size `dim`, initialized N(0, 1) as `torch.nn.Embedding`.
public final class Embedding: Module {
    public let weight: Tensor

    public init(_ count: Int, _ dim: Int, std: Float = 1, generator: inout RandomGenerator) {
        weight = .randn([count, dim], std: std, generator: &generator, requiresGrad: true)
    }

    /// ids with shape `shape` → `shape + [dim]`.
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor { weight.gatherRows(ids, shape: shape) }
}

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

/// Inverted dropout, active only while training (`Module.setTraining`).
public final class Dropout: Module {
    public let p: Float
    public var isTraining = true
    let random: RandomSource

    public init(_ p: Float, random: RandomSource) {
        self.p = p
        self.random = random
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x }
        return x.dropout(p, generator: &random.generator)
    }

    /// x + dropout(y), a residual connection, in one pass (the same mask as `self(y)`).
    public func residual(_ x: Tensor, _ y: Tensor) -> Tensor {
        guard isTraining, p > 0 else { return x + y }
        return x.addingDropout(y, p, generator: &random.generator)
    }
}

/// The activation inside the feed-forward block.
public enum Activation: String, Codable, Sendable {
    case relu, gelu
    /// GELU's tanh approximation (GPT-2's "gelu_new").
    case geluTanh = "gelu_tanh"

    /// The same function, fused into the feed-forward's first linear layer.
    public var fused: LinearActivation {
        switch self {
        case .relu: .relu
        case .gelu: .gelu
        case .geluTanh: .geluTanh
        }
    }
}

/// The position-wise feed-forward network, FFN(x) = act(x·W1 + b1)·W2 + b2 (paper eq. 2).
public final class FeedForward: Module {
    public let linear1: Linear
    public let linear2: Linear
    public let activation: Activation
    let dropout: Dropout

    public init(dim: Int, hidden: Int, activation: Activation, dropout: Dropout, generator: inout RandomGenerator) {
        linear1 = Linear(dim, hidden, generator: &generator)
        linear2 = Linear(hidden, dim, generator: &generator)
        self.activation = activation
        self.dropout = dropout
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear2(dropout(linear1(x, activation: activation.fused))) }
}
