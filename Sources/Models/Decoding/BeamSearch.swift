import Foundation
import Layers
import Tensors

/// One decoded output: tokens without the end-of-sentence symbol, the model's log-probability of
/// the tokens followed by EOS, and the length-normalized score beam search ranks by.
public struct Hypothesis: Equatable, Sendable {
    public var tokens: [Int32]
    public var logProbability: Double
    public var score: Double
    public init(tokens: [Int32], logProbability: Double, score: Double) {
        self.tokens = tokens
        self.logProbability = logProbability
        self.score = score
    }
}

/// Batched beam search over an `EncoderDecoder` with the KV cache, as fairseq's `SequenceGenerator`:
/// each step every live beam is extended by every token, the best 2K candidates are kept, those
/// ending in EOS among the top K are finished, the best K others continue. A sentence stops when K
/// hypotheses have finished or at the maximum length (where EOS is forced).
public struct BeamSearch {
    /// Beam size K.
    public var beamSize: Int
    /// α of the length penalty (Wu et al. 2016); 0 ranks by raw log-probability.
    public var lengthPenaltyAlpha: Double
    /// The output may be at most source length + `maxExtraLength` tokens (EOS included).
    public var maxExtraLength: Int
    public var bos: Int32, eos: Int32, pad: Int32
    /// Restricts each step's tokens (e.g. to well-formed trees); nil decodes freely.
    public var constraint: (any DecodingConstraint)?

    public init(beamSize: Int = 4, lengthPenalty: Double = 0.6, maxExtraLength: Int = 50,
                bos: Int32, eos: Int32, pad: Int32) {
        precondition(beamSize >= 1, "beam size must be at least 1")
        self.beamSize = beamSize
        lengthPenaltyAlpha = lengthPenalty
        self.maxExtraLength = maxExtraLength
        self.bos = bos; self.eos = eos; self.pad = pad
    }

    /// Length penalty of Wu et al. 2016, eq. 14: lp(Y) = ((5 + |Y|) / 6)^α, where |Y| counts
    /// the output tokens including EOS.
    public static func lengthPenalty(length: Int, alpha: Double) -> Double {
        pow((5 + Double(length)) / 6, alpha)
    }

    /// score = log P(Y) / lp(Y).
    public func score(logProbability: Double, length: Int) -> Double {
        logProbability / Self.lengthPenalty(length: length, alpha: lengthPenaltyAlpha)
    }

    /// The best hypothesis for each source sentence.
    public func callAsFunction(_ model: EncoderDecoder, sources: [[Int32]]) -> [Hypothesis] {
        search(model, sources: sources).map { $0[0] }
    }

    /// Finished hypotheses of each sentence, best first (at most K).
    public func search(_ model: EncoderDecoder, sources: [[Int32]]) -> [[Hypothesis]] {
        guard !sources.isEmpty else { return [] }
        return model.evaluating { withoutGradients { run(model, sources: sources) } }
    }

    func maxLength(_ model: EncoderDecoder, sourceLength: Int) -> Int {
        max(1, min(sourceLength + maxExtraLength, model.config.maxLength))
    }

    private func run(_ model: EncoderDecoder, sources: [[Int32]]) -> [[Hypothesis]] {
        let b = sources.count, k = beamSize
        let encoded = SourceBatch(sources, pad: pad)
        // One memory row per sentence, shared by its K beams' rows (see cross-attention).
        let memory = encoded.memory(model)
        var memoryPadding = encoded.padding
        let limits = sources.map { maxLength(model, sourceLength: $0.count) }
        let steps = limits.max()!
        let caches = model.decoder.makeCaches(capacity: steps)
        let vocab = model.config.outputVocabSize

        // The sentences still decoding, in row order: active[i] owns rows i·K ..< (i+1)·K. A
        // finished sentence leaves the batch (its rows, caches and padding), as fairseq does, so
        // no step computes rows whose output is thrown away.
        var active = Array(0..<b)
        // Beam state per row: tokens so far and cumulative log-probability; at first only beam 0
        // of each sentence is live (the K beams are identical).
        var tokens = [[Int32]](repeating: [], count: b * k)
        var logP = [Double](repeating: -.infinity, count: b * k)
        for s in 0..<b { logP[s * k] = 0 }
        var finished = [[Hypothesis]](repeating: [], count: b)
        var done = [Bool](repeating: false, count: b)
        var last = [Int32](repeating: bos, count: b * k)

        for t in 0..<steps where !active.isEmpty {
            let rows = active.count * k
            // The logits are read where the decoder wrote them: a copy would be rows × V floats a step.
            let logits = model.decode(last, shape: [rows, 1], memory: memory, memoryPadding: memoryPadding, caches: caches, offset: t)
            var order = Array(0..<rows)
            let live = logP.map { $0 > -.infinity }
            let allowed = constraint.map { c in
                (0..<rows).map { r in live[r] ? c.allowed(sentence: active[r / k], prefix: tokens[r], remaining: limits[active[r / k]] - t) : [] }
            }
            let expansions = withExtendedLifetime(logits) {
                Self.expansions(UnsafePointer(logits.data), vocab: vocab, live: live, base: logP, count: 2 * k, eos: Int(eos), allowed: allowed)
            }
            let old = tokens
            for (i, s) in active.enumerated() {
                let first = i * k
                // The last step allowed for this sentence: every live beam must end with EOS.
                if t == limits[s] - 1 {
                    for r in first..<(first + k) where logP[r] > -.infinity && expansions[r].eos > -.infinity {
                        finish(&finished[s], tokens: tokens[r], logP: logP[r] + expansions[r].eos)
                    }
                    done[s] = true
                    continue
                }
                // Candidates (beam, token, cumulative log P), best first; ties by beam then token.
                var candidates: [(beam: Int, token: Int, logP: Double)] = []
                for j in 0..<k where logP[first + j] > -.infinity {
                    // A token a constraint forbids has log P −∞: never a candidate.
                    candidates += expansions[first + j].best.filter { $0.logP > -.infinity }.map { (beam: j, token: $0.token, logP: $0.logP) }
                }
                candidates = topCandidates(candidates, count: 2 * k)
                var next: [(beam: Int, token: Int, logP: Double)] = []
                for (rank, c) in candidates.enumerated() {
                    if c.token == Int(eos) {
                        // fairseq finalizes EOS only among the top K candidates.
                        if rank < k { finish(&finished[s], tokens: old[first + c.beam], logP: c.logP) }
                    } else if next.count < k {
                        next.append(c)
                    }
                }
                if finished[s].count >= k { done[s] = true; continue }
                for j in 0..<k {
                    let r = first + j
                    if j < next.count {
                        let c = next[j]
                        order[r] = first + c.beam
                        tokens[r] = old[first + c.beam] + [Int32(c.token)]
                        logP[r] = c.logP
                        last[r] = Int32(c.token)
                    } else {
                        logP[r] = -.infinity
                        last[r] = pad
                    }
                }
            }
            let keep = active.indices.filter { !done[active[$0]] }
            if keep.count < active.count {
                let kept = keep.flatMap { i in (i * k)..<((i + 1) * k) }
                order = kept.map { order[$0] }
                tokens = kept.map { tokens[$0] }
                logP = kept.map { logP[$0] }
                last = kept.map { last[$0] }
                memoryPadding = memoryPadding.map { p in keep.flatMap { i in p[(i * encoded.length)..<((i + 1) * encoded.length)] } }
                active = keep.map { active[$0] }
                for cache in caches { cache.crossAttn.reorder(rows: keep) }
            }
            for cache in caches { cache.selfAttn.reorder(rows: order) }
        }
        return finished.map { hyps in
            hyps.sorted { $0.score > $1.score }.prefix(k).map { $0 }
        }
    }

    private func finish(_ list: inout [Hypothesis], tokens: [Int32], logP: Double) {
        list.append(Hypothesis(tokens: tokens, logProbability: logP, score: score(logProbability: logP, length: tokens.count + 1)))
    }

    /// What a live row can become: log P(EOS) and its `count` best continuations (cumulative log
    /// P), worked out for all rows at once on every core; the bookkeeping after it is serial.
    private static func expansions(_ logits: UnsafePointer<Float>, vocab: Int, live: [Bool], base: [Double], count: Int,
                                   eos: Int, allowed: [[Int32]]? = nil) -> [(eos: Double, best: [(token: Int, logP: Double)])] {
        var out = [(eos: Double, best: [(token: Int, logP: Double)])](repeating: (0, []), count: live.count)
        nonisolated(unsafe) let logits = logits
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let o = buffer.baseAddress!
            Parallel.perform(iterations: live.count) { r in
                guard live[r] else { return }
                if let allowed {
                    let logProbs = constrainedLogSoftmax(logits + r * vocab, vocab: vocab, allowed: allowed[r])
                    o[r] = (logProbs[eos], bestTokens(logProbs, plus: base[r], count: count))
                } else {
                    o[r] = rowExpansions(logits + r * vocab, vocab: vocab, eos: eos, base: base[r], count: count)
                }
            }
        }
        return out
    }

    /// Greedy decoding: the most probable token each step until EOS or the maximum length (EOS is
    /// then forced, as in beam search, so greedy equals beam search with K = 1).
    public func greedy(_ model: EncoderDecoder, sources: [[Int32]]) -> [Hypothesis] {
        var one = self
        one.beamSize = 1
        guard !sources.isEmpty else { return [] }
        return model.evaluating { withoutGradients {
            let b = sources.count, vocab = model.config.outputVocabSize
            let encoded = SourceBatch(sources, pad: pad)
            let memory = encoded.memory(model)
            let limits = sources.map { maxLength(model, sourceLength: $0.count) }
            let caches = model.decoder.makeCaches(capacity: limits.max()!)
            var out = [Hypothesis?](repeating: nil, count: b)
            var tokens = [[Int32]](repeating: [], count: b)
            var logP = [Double](repeating: 0, count: b)
            var last = [Int32](repeating: bos, count: b)
            for t in 0..<limits.max()! where out.contains(where: { $0 == nil }) {
                let logits = model.decode(last, shape: [b, 1], memory: memory, memoryPadding: encoded.padding,
                                          caches: caches, offset: t)
                withExtendedLifetime(logits) {
                    for s in 0..<b where out[s] == nil {
                        let row = UnsafePointer(logits.data + s * vocab)
                        let lp = constraint.map {
                            constrainedLogSoftmax(row, vocab: vocab, allowed: $0.allowed(sentence: s, prefix: tokens[s], remaining: limits[s] - t))
                        } ?? logSoftmax(row, vocab: vocab)
                        var best = t == limits[s] - 1 ? Int(eos) : 0
                        if t < limits[s] - 1 { for v in 1..<vocab where lp[v] > lp[best] { best = v } }
                        logP[s] += lp[best]
                        if best == Int(eos) {
                            out[s] = Hypothesis(tokens: tokens[s], logProbability: logP[s],
                                                score: score(logProbability: logP[s], length: tokens[s].count + 1))
                        } else {
                            tokens[s].append(Int32(best))
                            last[s] = Int32(best)
                        }
                    }
                }
            }
            return out.map { $0! }
        } }
    }

    /// Teacher-forced log P(target, EOS | source) under the model, and its length-normalized score.
    public func modelScore(_ model: EncoderDecoder, source: [Int32], target: [Int32]) -> Hypothesis {
        model.evaluating { withoutGradients {
            let input = [bos] + target, output = target + [eos]
            let memory = model.encode(source, shape: [1, source.count])
            let logits = model.decode(input, shape: [1, input.count], memory: memory)
            let vocab = model.config.outputVocabSize
            var total = 0.0
            for (t, y) in output.enumerated() {
                total += withExtendedLifetime(logits) { logSoftmax(logits.data + t * vocab, vocab: vocab)[Int(y)] }
            }
            return Hypothesis(tokens: target, logProbability: total, score: score(logProbability: total, length: output.count))
        } }
    }
}

/// The K best candidates by log-probability; ties broken by beam, then token (the order greedy's
/// arg-max sees them), so beam 1 equals greedy.
private func topCandidates(_ all: [(beam: Int, token: Int, logP: Double)], count: Int) -> [(beam: Int, token: Int, logP: Double)] {
    Array(all.sorted { a, b in
        a.logP != b.logP ? a.logP > b.logP : (a.beam, a.token) < (b.beam, b.token)
    }.prefix(count))
}

/// The `count` best tokens of one beam by base + log-probability, best first, ties by token; one
/// pass over the vocabulary with a small sorted buffer. The best 2K candidates of all K beams are
/// among the beams' own best 2K, so this saves sorting K × V candidates at every step.
func bestTokens(_ logProbs: [Double], plus base: Double, count: Int) -> [(token: Int, logP: Double)] {
    var top = TopTokens(count: count)
    for (v, lp) in logProbs.enumerated() { top.offer(v, base + lp) }
    return top.best
}

/// The best tokens seen so far, best first.
struct TopTokens {
    let count: Int
    private(set) var best: [(token: Int, logP: Double)] = []

    init(count: Int) {
        self.count = count
        best.reserveCapacity(count + 1)
    }

    /// Tokens come in increasing order, so an equal score never displaces an earlier token.
    mutating func offer(_ token: Int, _ total: Double) {
        if best.count == count && total <= best[count - 1].logP { return }
        var i = best.count
        while i > 0 && best[i - 1].logP < total { i -= 1 }
        best.insert((token, total), at: i)
        if best.count > count { best.removeLast() }
    }
}

/// log Σᵢ e^row[i] in double precision: the maximum m, then e^(row[i] − m) summed in 8 lanes
/// (`vexp`, the tail one by one), so a row of the vocabulary costs no scalar `exp` calls.
func logSumExp(_ row: UnsafePointer<Float>, count: Int) -> Double {
    var m = -Double.infinity
    for i in 0..<count { m = Swift.max(m, Double(row[i])) }
    var lanes = DoubleVec()
    var i = 0
    while i + 8 <= count {
        let x = DoubleVec(UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self))
        lanes += vexp(x - DoubleVec(repeating: m))
        i += 8
    }
    var sum = lanes.sum()
    while i < count {
        sum += exp(Double(row[i]) - m)
        i += 1
    }
    return m + log(sum)
}

/// log-softmax of one row of logits in double precision, then its EOS entry and best tokens, in
/// one pass each and no arrays: the arithmetic of `logSoftmax` and `bestTokens`, in their order,
/// so the same results to the bit.
func rowExpansions(_ row: UnsafePointer<Float>, vocab: Int, eos: Int, base: Double, count: Int)
    -> (eos: Double, best: [(token: Int, logP: Double)]) {
    let lse = logSumExp(row, count: vocab)
    var top = TopTokens(count: count)
    for v in 0..<vocab { top.offer(v, base + (Double(row[v]) - lse)) }
    return (Double(row[eos]) - lse, top.best)
}

/// log-softmax of one row of `vocab` logits, in double precision.
func logSoftmax(_ row: UnsafePointer<Float>, vocab: Int) -> [Double] {
    let lse = logSumExp(row, count: vocab)
    return (0..<vocab).map { Double(row[$0]) - lse }
}

/// log-softmax over the `allowed` tokens of one row (−∞ elsewhere): the model's distribution
/// restricted to them and renormalized.
private func constrainedLogSoftmax(_ row: UnsafePointer<Float>, vocab: Int, allowed: [Int32]) -> [Double] {
    var out = [Double](repeating: -.infinity, count: vocab)
    guard !allowed.isEmpty else { return out }
    let m = allowed.map { Double(row[Int($0)]) }.max()!
    let lse = m + log(allowed.reduce(0) { $0 + exp(Double(row[Int($1)]) - m) })
    for a in allowed { out[Int(a)] = Double(row[Int(a)]) - lse }
    return out
}

/// Source sentences padded to one length and encoded once.
private struct SourceBatch {
    let ids: [Int32]
    let mask: [Bool]
    let count: Int
    let length: Int

    init(_ sources: [[Int32]], pad: Int32) {
        count = sources.count
        length = max(1, sources.map(\.count).max()!)
        var ids: [Int32] = [], mask: [Bool] = []
        for s in sources {
            ids += s + [Int32](repeating: pad, count: length - s.count)
            mask += [Bool](repeating: false, count: s.count) + [Bool](repeating: true, count: length - s.count)
        }
        self.ids = ids
        self.mask = mask
    }

    var hasPadding: Bool { mask.contains(true) }

    /// The padding flags [B·S], or nil when no sentence is padded.
    var padding: [Bool]? { hasPadding ? mask : nil }

    /// Encoder output [B, S, D].
    func memory(_ model: EncoderDecoder) -> Tensor {
        model.encode(ids, shape: [count, length], padding: padding)
    }
}
