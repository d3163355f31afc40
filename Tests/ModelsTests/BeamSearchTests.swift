import Foundation
import Layers
import Models
import Tasks
import Tensors
import Testing

@Suite struct BeamSearchTests {
    static let search = BeamSearch(bos: ReverseDigits.bos, eos: ReverseDigits.eos, pad: ReverseDigits.pad)

    /// An untrained post-norm model with room for outputs longer than the source (max length 40).
    static func randomModel(seed: UInt64 = 5) -> EncoderDecoder {
        var c = ReverseDigits().config
        c.maxLength = 40
        c.normFirst = false
        c.finalNorm = false
        return EncoderDecoder(c, seed: seed)
    }

    /// Digit sentences of varying lengths (so the batch needs padding).
    static func sentences(_ count: Int, seed: UInt64 = 11) -> [[Int32]] {
        var g = RandomGenerator(seed: seed)
        return (0..<count).map { i in (0..<(3 + i % 6)).map { _ in Int32(g.next() % 10) + 3 } }
    }

    @Test func beamSearchWithBeamOneEqualsGreedy() {
        let model = Self.randomModel()
        var one = Self.search
        one.beamSize = 1
        let sources = Self.sentences(6)
        let beam = one(model, sources: sources)
        let greedy = Self.search.greedy(model, sources: sources)
        #expect(beam.map(\.tokens) == greedy.map(\.tokens))
        for (b, g) in zip(beam, greedy) { #expect(abs(b.logProbability - g.logProbability) < 1e-6) }
    }

    /// The beam's best is at least as good as greedy under the model, and the scores the search
    /// reports equal teacher-forced scores (so the cache was reordered with the beams).
    @Test func beamSearchScoresAtLeastGreedyOnTrainedModel() {
        let task = ReverseDigits(batchSize: 32)
        let model = task.train(steps: 150)
        let sources = Self.sentences(8, seed: 3).map { Array($0.prefix(task.length)) }
        let beam = Self.search(model, sources: sources)
        let greedy = Self.search.greedy(model, sources: sources)
        for (i, (b, g)) in zip(beam, greedy).enumerated() {
            // Scored the same way (teacher forcing, one sentence), so batch-size rounding cancels.
            let forced = Self.search.modelScore(model, source: sources[i], target: b.tokens)
            let forcedGreedy = Self.search.modelScore(model, source: sources[i], target: g.tokens)
            #expect(forced.score >= forcedGreedy.score, "sentence \(i): beam \(forced.score) < greedy \(forcedGreedy.score)")
            #expect(abs(forced.logProbability - b.logProbability) < 1e-3, "sentence \(i)")
        }
    }

    @Test func beamSearchReportsTeacherForcedScoresOnRandomModel() {
        let model = Self.randomModel(seed: 9)
        let sources = Self.sentences(5, seed: 4)
        for (i, hyps) in Self.search.search(model, sources: sources).enumerated() {
            #expect(!hyps.isEmpty && hyps.count <= 4)
            #expect(zip(hyps, hyps.dropFirst()).allSatisfy { $0.score >= $1.score })
            for h in hyps {
                let forced = Self.search.modelScore(model, source: sources[i], target: h.tokens)
                #expect(abs(forced.logProbability - h.logProbability) < 1e-3, "sentence \(i)")
                #expect(h.tokens.count + 1 <= sources[i].count + 50)
            }
        }
    }

    /// Wu et al. 2016: lp(Y) = ((5 + |Y|) / 6)^α, |Y| counting EOS; score = log P / lp.
    @Test func lengthPenaltyMatchesTheFormula() {
        #expect(BeamSearch.lengthPenalty(length: 1, alpha: 0.6) == 1)
        #expect(abs(BeamSearch.lengthPenalty(length: 7, alpha: 0.6) - pow(2.0, 0.6)) < 1e-12)
        #expect(BeamSearch.lengthPenalty(length: 20, alpha: 0) == 1)
        let model = Self.randomModel()
        for h in Self.search(model, sources: Self.sentences(3)) {
            let expected = h.logProbability / pow((5 + Double(h.tokens.count + 1)) / 6, 0.6)
            #expect(abs(h.score - expected) < 1e-12)
        }
    }

    @Test func batchedResultsEqualPerSentenceResults() {
        let model = Self.randomModel(seed: 21)
        let sources = Self.sentences(5, seed: 8)
        let batched = Self.search.search(model, sources: sources)
        for (i, s) in sources.enumerated() {
            let single = Self.search.search(model, sources: [s])[0]
            #expect(single.map(\.tokens) == batched[i].map(\.tokens), "sentence \(i)")
            for (a, b) in zip(single, batched[i]) { #expect(abs(a.score - b.score) < 1e-4) }
        }
        let greedyBatched = Self.search.greedy(model, sources: sources)
        let greedySingle = sources.map { Self.search.greedy(model, sources: [$0])[0] }
        #expect(greedyBatched.map(\.tokens) == greedySingle.map(\.tokens))
    }

    /// A trained model ends short sentences steps before long ones, so they leave the batch (rows,
    /// caches and padding) while the others go on: each must still get its own hypotheses.
    @Test func sentencesLeavingTheBatchKeepTheirHypotheses() {
        let task = ReverseDigits(batchSize: 32)
        let model = task.train(steps: 150)
        let sources = Self.sentences(9, seed: 4).map { Array($0.prefix(task.length)) }
        #expect(Set(sources.map(\.count)).count >= 4)
        let batched = Self.search.search(model, sources: sources)
        let lengths = batched.map { $0[0].tokens.count }
        #expect(Set(lengths).count >= 3, "outputs of one length leave nothing to drop: \(lengths)")
        for (i, s) in sources.enumerated() {
            let single = Self.search.search(model, sources: [s])[0]
            #expect(single.map(\.tokens) == batched[i].map(\.tokens), "sentence \(i)")
            for (a, b) in zip(single, batched[i]) { #expect(abs(a.logProbability - b.logProbability) < 1e-4, "sentence \(i)") }
        }
    }

    @Test func lengthBatchesGoLongestFirstAndCoverEveryItemOnce() {
        let lengths = [3, 9, 1, 9, 5, 2, 7]
        let batches = lengthBatches(lengths: lengths, batchSize: 3)
        #expect(batches == [[1, 3, 6], [4, 0, 5], [2]])
        #expect(lengthBatches(lengths: [], batchSize: 4).isEmpty)
        #expect(lengthBatches(lengths: [4, 4], batchSize: 0) == [[0], [1]])
    }
}
