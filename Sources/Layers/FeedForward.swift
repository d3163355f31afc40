import Foundation
import Tensors

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
