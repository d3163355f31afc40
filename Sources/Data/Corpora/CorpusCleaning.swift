/// The filters of Moses' `clean-corpus-n.perl`, the usual cleaning of WMT training data: both
/// sides have their whitespace collapsed and trimmed, then a pair is dropped if either side is
/// empty, has more than `maxTokens` or fewer than `minTokens` tokens, more than `maxCharacters`
/// characters, a token/token ratio above `maxRatio` either way, or a word longer than
/// `maxWordLength` characters. Tokens are whitespace-separated words (the script runs on
/// tokenized text); characters are Unicode scalars (Perl's `length`). Unlike the script we do not
/// delete `|` (Moses' factor separator), which is ordinary text here.
public struct CorpusCleaning: Equatable, Sendable {
    /// Fewest tokens a side may have (the script's `min`).
    public var minTokens: Int
    /// Most tokens a side may have (the script's `max`).
    public var maxTokens: Int
    /// Most characters a side may have, spaces included; nil for no limit.
    public var maxCharacters: Int?
    /// Largest token ratio of one side to the other (`-ratio`, 9 by default); nil for none.
    public var maxRatio: Double?
    /// Longest word (`-max-word-length`, 1000 by default).
    public var maxWordLength: Int

    public init(minTokens: Int = 1, maxTokens: Int = 80, maxCharacters: Int? = nil, maxRatio: Double? = 9, maxWordLength: Int = 1000) {
        self.minTokens = minTokens
        self.maxTokens = maxTokens
        self.maxCharacters = maxCharacters
        self.maxRatio = maxRatio
        self.maxWordLength = maxWordLength
    }

    /// Why a pair is dropped; the first of these that applies, in the script's order.
    public enum Reason: String, CaseIterable, Sendable {
        case empty, tooManyTokens, tooFewTokens, tooManyCharacters, ratio, longWord
    }

    /// A pair kept (with its whitespace normalized) or dropped, and why.
    public enum Verdict: Equatable, Sendable {
        case keep(SentencePair)
        case drop(Reason)
    }

    /// What becomes of `pair`.
    public func check(_ pair: SentencePair) -> Verdict {
        let source = PythonText.split(Array(pair.source.unicodeScalars))
        let target = PythonText.split(Array(pair.target.unicodeScalars))
        if source.isEmpty || target.isEmpty { return .drop(.empty) }
        let s = source.count, t = target.count
        if s > maxTokens || t > maxTokens { return .drop(.tooManyTokens) }
        if s < minTokens || t < minTokens { return .drop(.tooFewTokens) }
        func characters(_ words: [[Unicode.Scalar]]) -> Int { words.reduce(words.count - 1) { $0 + $1.count } }
        if let maxCharacters, characters(source) > maxCharacters || characters(target) > maxCharacters { return .drop(.tooManyCharacters) }
        if let maxRatio, Double(s) / Double(t) > maxRatio || Double(t) / Double(s) > maxRatio { return .drop(.ratio) }
        if (source + target).contains(where: { $0.count > maxWordLength }) { return .drop(.longWord) }
        func joined(_ words: [[Unicode.Scalar]]) -> String { words.map { String(String.UnicodeScalarView($0)) }.joined(separator: " ") }
        return .keep(SentencePair(source: joined(source), target: joined(target)))
    }
}

/// What cleaning kept and dropped.
public struct CleaningReport: Equatable, Sendable, CustomStringConvertible {
    /// Pairs read.
    public var read = 0
    /// Pairs kept.
    public var kept = 0
    /// Pairs dropped, by the first reason that applied.
    public var dropped: [CorpusCleaning.Reason: Int] = [:]

    public init() {}

    /// `kept 950 of 1000 pairs; dropped 30 empty, 20 tooManyTokens`.
    public var description: String {
        let reasons = CorpusCleaning.Reason.allCases.compactMap { r in dropped[r].map { "\($0) \(r.rawValue)" } }
        return "kept \(kept) of \(read) pairs" + (reasons.isEmpty ? "" : "; dropped " + reasons.joined(separator: ", "))
    }
}

extension ParallelCorpus {
    /// The pairs that pass `rules` (whitespace normalized), in order, and the counts of what
    /// was dropped and why.
    public func cleaned(_ rules: CorpusCleaning = CorpusCleaning()) -> (corpus: ParallelCorpus, report: CleaningReport) {
        var kept: [SentencePair] = []
        var report = CleaningReport()
        report.read = pairs.count
        for pair in pairs {
            switch rules.check(pair) {
            case .keep(let clean): kept.append(clean)
            case .drop(let reason): report.dropped[reason, default: 0] += 1
            }
        }
        report.kept = kept.count
        return (ParallelCorpus(pairs: kept), report)
    }
}
