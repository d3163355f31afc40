@testable import Models
import Tensors
import Testing

/// Beam search's one-pass expansion of a row equals the log-softmax then best-token scan it
/// replaced, to the bit (ties included).
@Suite struct RowExpansionsTests {
    @Test func onePassEqualsLogSoftmaxThenBestTokens() {
        var g = RandomGenerator(seed: 17)
        for trial in 0..<20 {
            let vocab = 50 + trial * 37
            // Coarse logits, so equal scores (ties) occur.
            var logits = (0..<(2 * vocab)).map { _ in Float(Int(g.next() % 40)) / 4 - 5 }
            if trial % 5 == 0 { logits[3] = 30 }  // one token far above the rest
            for row in 0..<2 {
                let base = -Double(trial) / 3
                let expected = logits.withUnsafeBufferPointer { logSoftmax($0.baseAddress! + row * vocab, vocab: vocab) }
                let fused = logits.withUnsafeBufferPointer { rowExpansions($0.baseAddress! + row * vocab, vocab: vocab, eos: 2, base: base, count: 8) }
                #expect(fused.eos.bitPattern == expected[2].bitPattern)
                let best = bestTokens(expected, plus: base, count: 8)
                #expect(fused.best.map(\.token) == best.map(\.token), "trial \(trial)")
                #expect(fused.best.map(\.logP.bitPattern) == best.map(\.logP.bitPattern), "trial \(trial)")
            }
        }
    }
}
