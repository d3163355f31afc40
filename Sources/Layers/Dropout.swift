import Foundation
import Tensors

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
