import Foundation
import Tensors

/// A shared, seedable source of randomness for a model's dropout (one per model, so a
/// checkpoint can save and restore it).
public final class RandomSource {
    public var generator: RandomGenerator
    public init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
}
