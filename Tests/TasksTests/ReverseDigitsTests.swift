import Foundation
import Layers
import Tasks
import Tensors
import TestSupport
import Testing

@Suite struct ReverseDigitsTests {
    /// A tiny encoder–decoder reverses digit sequences with ≥ 99% token accuracy,
    /// decoding greedily with the KV cache on sequences it never saw.
    @Test func tinyEncoderDecoderLearnsToReverseDigits() {
        let task = ReverseDigits()
        let model = task.train(steps: 600)
        let accuracy = task.accuracy(model)
        #expect(accuracy >= 0.99, "token accuracy \(accuracy)")
    }

    /// Incremental decoding with the KV cache must give the same logits as running the decoder on
    /// the whole prefix without a cache.
    @Test func cachedDecodingEqualsFullDecoding() {
        let task = ReverseDigits(batchSize: 3)
        let model = task.train(steps: 5)
        model.setTraining(false)
        var g = RandomGenerator(seed: 3)
        let (src, inp, _) = task.batch(&g)
        let n = task.length + 1
        let (full, stepwise) = withoutGradients { () -> ([Float], [Float]) in
            let memory = model.encode(src, shape: [3, task.length])
            let full = model.decode(inp, shape: [3, n], memory: memory).scalars
            let caches = model.decoder.makeCaches(capacity: n)
            var steps = [[Float]](repeating: [], count: 3)
            for t in 0..<n {
                let column = (0..<3).map { inp[$0 * n + t] }
                let logits = model.decode(column, shape: [3, 1], memory: memory, caches: caches, offset: t).scalars
                for b in 0..<3 { steps[b] += logits[(b * ReverseDigits.vocabSize)..<((b + 1) * ReverseDigits.vocabSize)] }
            }
            return (full, steps.flatMap { $0 })
        }
        #expect(full.count == stepwise.count)
        let worst = zip(full, stepwise).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "largest difference \(worst)")
    }
}
