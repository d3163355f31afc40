import Foundation
@testable import Layers
import Tensors
import Testing

/// Cross-attention whose memory rows each serve several consecutive query rows (beam search's
/// beams of one source) equals cross-attention over the memory repeated for every query row.
@Suite struct SharedMemoryAttentionTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return .randn(shape, generator: &g)
    }

    /// `memory` [M, S, D] with each row repeated `group` times, and its padding likewise.
    static func repeated(_ memory: Tensor, padding: [Bool], group: Int) -> (Tensor, [Bool]) {
        let m = memory.shape[0], w = memory.count / m, s = padding.count / m
        var values: [Float] = [], flags: [Bool] = []
        for i in 0..<m {
            for _ in 0..<group {
                values += memory.scalars[(i * w)..<((i + 1) * w)]
                flags += padding[(i * s)..<((i + 1) * s)]
            }
        }
        return (Tensor(values, shape: [m * group] + Array(memory.shape.dropFirst())), flags)
    }

    @Test(arguments: [1, 2])
    func sharedMemoryEqualsTheRepeatedMemory(queryLength: Int) {
        var g = RandomGenerator(seed: 9)
        let mha = MultiHeadAttention(dim: 16, heads: 4, generator: &g)
        let sources = 3, group = 4, length = 5
        let memory = Self.random([sources, length, 16], seed: 1)
        let padding = (0..<sources).flatMap { i in (0..<length).map { $0 >= length - i } }  // row i has i padded positions
        let (wide, widePadding) = Self.repeated(memory, padding: padding, group: group)
        withoutGradients {
            let shared = KVCache(capacity: 0), expanded = KVCache(capacity: 0)
            // Two steps each: the second reads the memory's keys and values from the cache.
            for step in 0..<2 {
                let x = Self.random([sources * group, queryLength, 16], seed: 10 + UInt64(step))
                let got = mha(x, memory: memory, mask: AttentionMask(keyPadding: padding), cache: shared)
                let want = mha(x, memory: wide, mask: AttentionMask(keyPadding: widePadding), cache: expanded)
                #expect(got.shape == want.shape)
                let worst = zip(got.scalars, want.scalars).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-5, "step \(step): \(worst)")
            }
            #expect(shared.storage!.shape[0] == sources, "the cache keeps one row per source")
        }
    }
}
