import Metrics

/// Corpus BLEU of a test set's sentences grouped by their source length in words (as
/// compare-mt's length buckets): where a translator's quality falls off with length.
public struct BLEUByLength {
    /// The sentences of one range of source lengths and their BLEU.
    public struct Bucket {
        /// Source words, e.g. 1...10; the last bucket is open (41...Int.max).
        public var words: ClosedRange<Int>
        public var sentences: Int
        public var bleu: Double
        public var label: String { words.upperBound == Int.max ? "\(words.lowerBound)+" : "\(words.lowerBound)–\(words.upperBound)" }
    }

    public let buckets: [Bucket]

    /// Buckets of `width` words up to `last`, then one for the longer ones; empty buckets are left out.
    public init(sources: [String], references: [String], hypotheses: [String], width: Int = 10, last: Int = 40) throws {
        precondition(sources.count == references.count && references.count == hypotheses.count)
        var ranges = stride(from: 1, through: last, by: width).map { $0...min($0 + width - 1, last) }
        ranges.append((last + 1)...Int.max)
        var out: [Bucket] = []
        for range in ranges {
            let members = sources.indices.filter { range.contains(sources[$0].split(whereSeparator: \.isWhitespace).count) }
            guard !members.isEmpty else { continue }
            let score = try BLEU().corpusScore(hypotheses: members.map { hypotheses[$0] }, references: [members.map { references[$0] }])
            out.append(Bucket(words: range, sentences: members.count, bleu: score.score))
        }
        buckets = out
    }

    /// The card's section: a table of the buckets.
    public var markdown: String {
        var lines = ["## BLEU by sentence length", "",
                     "sacreBLEU (13a) on the test sentences grouped by their number of source words:", "",
                     "| source words | sentences | BLEU |", "|---|---|---|"]
        lines += buckets.map { "| \($0.label) | \($0.sentences) | \(String(format: "%.2f", $0.bleu)) |" }
        return lines.joined(separator: "\n") + "\n"
    }
}
