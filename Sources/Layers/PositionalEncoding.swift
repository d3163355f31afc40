import Foundation
import Tensors

/// Position information added to token embeddings: the paper's fixed sinusoids (§3.5),
/// PE(pos, 2i) = sin(pos / 10000^{2i/d}), PE(pos, 2i+1) = cos(pos / 10000^{2i/d}),
/// or a learned table (`weight`, GPT-2's `wpe`).
public final class PositionalEncoding: Module {
    /// The learned table [maxLength, D], nil for sinusoids.
    public let weight: Tensor?
    let table: Tensor
    public let maxLength: Int

    public init(kind: TransformerConfig.PositionalKind, maxLength: Int, dim: Int, generator: inout RandomGenerator) {
        self.maxLength = maxLength
        switch kind {
        case .learned:
            let w = Tensor.randn([maxLength, dim], std: 0.02, generator: &generator, requiresGrad: true)
            weight = w
            table = w
        case .sinusoidal:
            weight = nil
            let t = Tensor(uninitialized: [maxLength, dim])
            for pos in 0..<maxLength {
                for i in stride(from: 0, to: dim, by: 2) {
                    let angle = Double(pos) / pow(10000, Double(i) / Double(dim))
                    t.data[pos * dim + i] = Float(sin(angle))
                    if i + 1 < dim { t.data[pos * dim + i + 1] = Float(cos(angle)) }
                }
            }
            table = t
        }
    }

    /// Encodings of the given positions, `shape + [D]`.
    public func callAsFunction(ids: [Int32], shape: [Int]) -> Tensor {
        precondition(ids.allSatisfy { $0 >= 0 && Int($0) < maxLength }, "a position is beyond the model's maximum length \(maxLength)")
        return table.gatherRows(ids, shape: shape)
    }

    /// Encodings of positions `offset ..< offset + length`, [length, D].
    public func callAsFunction(length: Int, offset: Int = 0) -> Tensor {
        precondition(offset + length <= maxLength, "position \(offset + length) beyond the model's maximum length \(maxLength)")
        return table.slice(axis: 0, offset..<(offset + length))
    }
}
