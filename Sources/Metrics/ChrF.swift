import Data

/// Corpus chrF (Popović 2015) exactly as sacreBLEU 2.x computes it by default
/// (`sacrebleu/metrics/chrf.py`): character n-grams of orders 1–6 over each line with its
/// whitespace removed, no word n-grams, β = 2. Each hypothesis keeps the statistics of its best
/// reference (highest segment F-score, the first on ties); the statistics are summed over the
/// corpus, and precision and recall are averaged over the orders that have both hypothesis and
/// reference n-grams (sacreBLEU's "effective order", its default) before the F-score.
///
/// Characters are Unicode scalars, as in Python's `str`.
public struct ChrF: Sendable {
    /// The highest character n-gram order (`CHAR_ORDER`), 1–6.
    public let charOrder: Int
    /// The weight of recall against precision (`BETA`).
    public let beta: Int
    /// Keep whitespace in the character n-grams (sacreBLEU's `whitespace`, off by default).
    public let includeWhitespace: Bool

    public init(charOrder: Int = 6, beta: Int = 2, includeWhitespace: Bool = false) {
        precondition((1...6).contains(charOrder), "chrF character order must be 1–6")
        self.charOrder = charOrder
        self.beta = beta
        self.includeWhitespace = includeWhitespace
    }

    /// The corpus score against reference streams (`references[k][i]` is hypothesis i's k-th
    /// reference), as sacreBLEU's `corpus_score(hyps, refs)`.
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> ChrFScore {
        try corpusScore(hypotheses: hypotheses, segmentReferences: MetricInput.segments(hypotheses: hypotheses, streams: references))
    }

    /// The corpus score with each hypothesis's own list of references.
    public func corpusScore(hypotheses: [String], segmentReferences: [[String]]) throws -> ChrFScore {
        try MetricInput.check(hypotheses: hypotheses.count, segments: segmentReferences)
        var total = [Int](repeating: 0, count: 3 * charOrder)
        for (hypothesis, references) in zip(hypotheses, segmentReferences) {
            for (k, v) in statistics(hypothesis: hypothesis, references: references).enumerated() { total[k] += v }
        }
        return ChrFScore(score: fScore(total), statistics: total, beta: beta, charOrder: charOrder,
                         includeWhitespace: includeWhitespace, references: MetricInput.referenceCount(segmentReferences))
    }

    /// One segment's statistics, `[hypothesis n-grams, reference n-grams, matches]` for each
    /// order, against its best reference (`_compute_segment_statistics`).
    public func statistics(hypothesis: String, references: [String]) -> [Int] {
        let hyp = ngramCounts(hypothesis)
        var best: [Int] = [], bestF = -1.0
        for reference in references {
            let ref = ngramCounts(reference)
            var stats: [Int] = []
            stats.reserveCapacity(3 * charOrder)
            for n in 0..<charOrder {
                // _get_match_statistics: hypothesis n-grams count only where the reference has some.
                var hypCount = 0, matches = 0
                for (gram, c) in hyp[n] {
                    hypCount += c
                    if let r = ref[n][gram] { matches += min(c, r) }
                }
                stats += [ref[n].isEmpty ? 0 : hypCount, ref[n].values.reduce(0, +), matches]
            }
            let f = fScore(stats)
            if f > bestF {
                bestF = f
                best = stats
            }
        }
        return best
    }

    /// `_compute_f_score` without epsilon smoothing: precision and recall averaged over the
    /// orders with hypothesis and reference n-grams, then F-β, in percent. The operations are
    /// Python's, in its order, so the result is the same double.
    public func fScore(_ stats: [Int]) -> Double {
        let factor = Double(beta * beta)
        var precision = 0.0, recall = 0.0, orders = 0
        for n in 0..<charOrder {
            let hyp = stats[3 * n], ref = stats[3 * n + 1], match = stats[3 * n + 2]
            if hyp > 0 && ref > 0 {
                precision += Double(match) / Double(hyp)
                recall += Double(match) / Double(ref)
                orders += 1
            }
        }
        if orders == 0 {
            precision = 0
            recall = 0
        } else {
            precision /= Double(orders)
            recall /= Double(orders)
        }
        guard precision + recall != 0 else { return 0 }
        var score = (1 + factor) * precision * recall
        score /= (factor * precision) + recall
        return 100 * score
    }

    /// Up to six scalars (21 bits each), three to a word.
    struct CharGram: Hashable {
        var a: UInt64, b: UInt64
    }

    /// `extract_all_char_ngrams`: the counts of each order's character n-grams.
    func ngramCounts(_ line: String) -> [[CharGram: Int]] {
        let all = Array(line.unicodeScalars)
        let chars = includeWhitespace ? all : PythonText.removingSpaces(all)
        return (1...charOrder).map { n in
            var counts: [CharGram: Int] = [:]
            if chars.count >= n {
                for i in 0...(chars.count - n) {
                    var key = CharGram(a: 0, b: 0)
                    for k in 0..<n {
                        let v = UInt64(chars[i + k].value)
                        if k < 3 { key.a |= v << (21 * UInt64(k)) } else { key.b |= v << (21 * UInt64(k - 3)) }
                    }
                    counts[key, default: 0] += 1
                }
            }
            return counts
        }
    }
}

/// A corpus chrF score (`CHRFScore`): `chrF2 = 50.04`.
public struct ChrFScore: MetricScore, Equatable, CustomStringConvertible {
    /// `chrF2` for β = 2.
    public var name: String
    public var score: Double
    /// The summed `[hypothesis, reference, match]` counts of each character order.
    public var statistics: [Int]
    public var signature: MetricSignature
    public var verbose: String { "" }

    init(score: Double, statistics: [Int], beta: Int, charOrder: Int, includeWhitespace: Bool, references: Int?) {
        self.name = "chrF\(beta)"
        self.score = score
        self.statistics = statistics
        self.signature = MetricSignature(references: references, [
            .init("case", "mixed"), .init("eff", "yes"), .init("nc", String(charOrder)), .init("nw", "0"),
            .init("space", includeWhitespace ? "yes" : "no"),
        ])
    }

    /// Python's `str(score)`: `chrF2 = 50.04`.
    public var description: String { formatted() }
}
