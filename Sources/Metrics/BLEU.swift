import Foundation
import Data

/// Corpus BLEU (Papineni et al. 2002) exactly as sacreBLEU 2.x computes it by default
/// (`sacrebleu/metrics/bleu.py`): 13a tokenization, n-grams of orders 1–4 clipped by the
/// largest count in any one reference, the closest reference length (ties to the shorter) for
/// the brevity penalty, and mteval's exponential smoothing of zero precisions.
///
/// ```swift
/// let bleu = try BLEU().corpusScore(hypotheses: hyps, references: [refs])
/// print(bleu)                         // BLEU = 45.07 70.6/42.9/36.4/37.5 (BP = 1.000 ratio = ...)
/// print(bleu.signature)               // nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0
/// ```
public struct BLEU: Sendable {
    /// The highest n-gram order (sacreBLEU's `MAX_NGRAM_ORDER`).
    public static let maxOrder = 4

    private let tokenizer = Tokenizer13a()

    public init() {}

    /// The corpus score of `hypotheses` against reference streams as sacreBLEU's
    /// `corpus_score(hyps, refs)` takes them: `references[k][i]` is the k-th reference of
    /// hypothesis i, and every stream has one line per hypothesis.
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> BLEUScore {
        try corpusScore(hypotheses: hypotheses, segmentReferences: MetricInput.segments(hypotheses: hypotheses, streams: references))
    }

    /// The corpus score with each hypothesis's own list of references (`segmentReferences[i]`);
    /// the lists may differ in length (the signature then says `nrefs:var`).
    public func corpusScore(hypotheses: [String], segmentReferences: [[String]]) throws -> BLEUScore {
        try MetricInput.check(hypotheses: hypotheses.count, segments: segmentReferences)
        var total = BLEUStatistics()
        for (hypothesis, references) in zip(hypotheses, segmentReferences) {
            total += statistics(hypothesis: hypothesis, references: references)
        }
        return BLEUScore(statistics: total, references: MetricInput.referenceCount(segmentReferences))
    }

    /// One segment's sufficient statistics: `_compute_segment_statistics` after
    /// `_extract_reference_info`, each line right-stripped and tokenized first.
    public func statistics(hypothesis: String, references: [String]) -> BLEUStatistics {
        var vocabulary: [[Unicode.Scalar]: UInt64] = [:]
        func ids(_ line: String) -> [UInt64] {
            tokenizer.tokenScalars(PythonText.rstrip(Array(line.unicodeScalars))).map { token in
                if let id = vocabulary[token] { return id }
                let id = UInt64(vocabulary.count + 1)
                vocabulary[token] = id
                return id
            }
        }
        // Reference n-gram counts: for each n-gram, its largest count in any one reference.
        var referenceCounts = [[NGram: Int]](repeating: [:], count: Self.maxOrder)
        var referenceLengths: [Int] = []
        for reference in references {
            let tokens = ids(reference)
            referenceLengths.append(tokens.count)
            for (n, counts) in Self.ngramCounts(tokens).enumerated() {
                for (gram, c) in counts where c > referenceCounts[n][gram, default: 0] { referenceCounts[n][gram] = c }
            }
        }
        let tokens = ids(hypothesis)
        var s = BLEUStatistics()
        s.hypothesisLength = tokens.count
        s.referenceLength = Self.closestReferenceLength(tokens.count, referenceLengths)
        for (n, counts) in Self.ngramCounts(tokens).enumerated() {
            for (gram, c) in counts {
                s.total[n] += c
                s.correct[n] += min(c, referenceCounts[n][gram, default: 0])
            }
        }
        return s
    }

    /// The score from summed statistics: `BLEU.compute_bleu` with `smooth_method='exp'`.
    public static func score(_ s: BLEUStatistics) -> (score: Double, precisions: [Double], brevityPenalty: Double) {
        var bp = 1.0
        if s.hypothesisLength < s.referenceLength {
            bp = s.hypothesisLength > 0 ? exp(1 - Double(s.referenceLength) / Double(s.hypothesisLength)) : 0
        }
        var precisions = [Double](repeating: 0, count: maxOrder)
        // No matches at all: 0, whatever the smoothing (as sacreBLEU does).
        if s.correct.allSatisfy({ $0 == 0 }) { return (0, precisions, bp) }
        // mteval-v13a's smoothing: the k-th order without a match counts as 1 / 2^k matches.
        var smooth = 1.0
        for n in 0..<maxOrder {
            if s.total[n] == 0 { break }
            if s.correct[n] == 0 {
                smooth *= 2
                precisions[n] = 100.0 / (smooth * Double(s.total[n]))
            } else {
                precisions[n] = 100.0 * Double(s.correct[n]) / Double(s.total[n])
            }
        }
        // my_log floors log(0) at -9999999999; the sum runs left to right as Python's sum().
        let logSum = precisions.reduce(0.0) { $0 + ($1 == 0 ? -9999999999 : log($1)) }
        return (bp * exp(logSum / Double(maxOrder)), precisions, bp)
    }

    /// sacreBLEU's warning when at least 100 hypotheses end in " ." (a tokenized period), or nil.
    public static func tokenizedPeriodWarning(_ hypotheses: [String]) -> String? {
        guard hypotheses.count(where: { $0.hasSuffix(" .") }) >= 100 else { return nil }
        return """
        That's 100 lines that end in a tokenized period ('.')
        It looks like you forgot to detokenize your test data, which may hurt your score.
        If you insist your data is detokenized, or don't care, you can suppress this message with the `force` parameter.
        """
    }

    /// `_get_closest_ref_len`: the reference length closest to the hypothesis's, the shorter on ties.
    static func closestReferenceLength(_ hypothesisLength: Int, _ lengths: [Int]) -> Int {
        var best = -1, bestDiff = -1
        for length in lengths {
            let diff = abs(hypothesisLength - length)
            if bestDiff == -1 || diff < bestDiff {
                bestDiff = diff
                best = length
            } else if diff == bestDiff && length < best {
                best = length
            }
        }
        return best
    }

    /// An n-gram of up to four token ids (1-based, 32 bits each, two to a word; 0 is no token).
    struct NGram: Hashable {
        var a: UInt64, b: UInt64
    }

    /// The counts of every n-gram, one dictionary per order (`extract_all_word_ngrams`).
    static func ngramCounts(_ ids: [UInt64]) -> [[NGram: Int]] {
        (1...maxOrder).map { n in
            var counts: [NGram: Int] = [:]
            if ids.count >= n {
                for i in 0...(ids.count - n) {
                    var key = NGram(a: 0, b: 0)
                    for k in 0..<n {
                        if k < 2 { key.a |= ids[i + k] << (32 * UInt64(k)) } else { key.b |= ids[i + k] << (32 * UInt64(k - 2)) }
                    }
                    counts[key, default: 0] += 1
                }
            }
            return counts
        }
    }
}

/// BLEU's sufficient statistics, summed over segments: sacreBLEU's `[sys_len, ref_len,
/// correct_1..4, total_1..4]`.
public struct BLEUStatistics: Equatable, Sendable {
    public var hypothesisLength = 0
    public var referenceLength = 0
    /// Clipped matches of each order 1–4.
    public var correct = [Int](repeating: 0, count: BLEU.maxOrder)
    /// Hypothesis n-grams of each order 1–4.
    public var total = [Int](repeating: 0, count: BLEU.maxOrder)

    public init() {}

    public static func += (a: inout BLEUStatistics, b: BLEUStatistics) {
        a.hypothesisLength += b.hypothesisLength
        a.referenceLength += b.referenceLength
        for n in 0..<BLEU.maxOrder {
            a.correct[n] += b.correct[n]
            a.total[n] += b.total[n]
        }
    }
}

/// A corpus BLEU score with what sacreBLEU reports beside it (`BLEUScore`).
public struct BLEUScore: MetricScore, Equatable, CustomStringConvertible {
    public let name = "BLEU"
    public var score: Double
    /// Clipped n-gram matches of orders 1–4 (`counts`).
    public var counts: [Int]
    /// Hypothesis n-grams of orders 1–4 (`totals`).
    public var totals: [Int]
    /// Smoothed precisions in percent (`precisions`).
    public var precisions: [Double]
    /// `bp`.
    public var brevityPenalty: Double
    /// Hypothesis tokens (`sys_len`).
    public var hypothesisLength: Int
    /// Effective reference tokens (`ref_len`): each segment's closest reference length, summed.
    public var referenceLength: Int
    public var signature: MetricSignature

    /// The score of summed statistics; `references` is the number of references a segment
    /// (nil when it varies) for the signature.
    public init(statistics s: BLEUStatistics, references: Int?) {
        let (score, precisions, bp) = BLEU.score(s)
        self.score = score
        self.counts = s.correct
        self.totals = s.total
        self.precisions = precisions
        self.brevityPenalty = bp
        self.hypothesisLength = s.hypothesisLength
        self.referenceLength = s.referenceLength
        self.signature = MetricSignature(references: references, [
            .init("case", "mixed"), .init("eff", "no"), .init("tok", Tokenizer13a.signature), .init("smooth", "exp"),
        ])
    }

    /// `sys_len / ref_len`, 0 without reference tokens.
    public var ratio: Double { referenceLength > 0 ? Double(hypothesisLength) / Double(referenceLength) : 0 }

    /// `70.6/42.9/36.4/37.5 (BP = 1.000 ratio = 1.000 hyp_len = 17 ref_len = 17)`.
    public var verbose: String {
        let p = precisions.map { PythonFormat.fixed($0, 1) }.joined(separator: "/")
        return "\(p) (BP = \(PythonFormat.fixed(brevityPenalty, 3)) ratio = \(PythonFormat.fixed(ratio, 3)) hyp_len = \(hypothesisLength) ref_len = \(referenceLength))"
    }

    /// Python's `str(score)`: `BLEU = 45.07 70.6/42.9/36.4/37.5 (BP = 1.000 ...)`.
    public var description: String { formatted() }
}
