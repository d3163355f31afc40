import Data
import Metrics

/// EVALB (COLLINS.prm) on a parser's trees of gold trees' words, as cards, runs and `zoo eval`
/// report it: brackets scored with the gold part-of-speech tags in the parser's trees, the
/// parser's own tags scored apart, word by word.
///
/// EVALB drops punctuation by its tag in each tree, so one punctuation word tagged otherwise makes
/// the sentence an error ("Length unmatch") and evalb halts after a dozen: with the parser's own
/// tags, the bracket figure would hang on the tagger. Both parsers are scored alike, so their F1
/// compare (a sequence-to-sequence parser writes a tag a word by position, as Vinyals et al. 2015
/// score brackets only).
struct ParserScore {
    var evalb: EVALBResult
    /// Words (%) the parser tagged as the gold trees do; nil with no word scored.
    var tagAccuracy: Double?

    /// `parsed[i]` is the parser's tree of `gold[i]`'s words, nil where the sentence did not fit
    /// the parser (an empty test line, which EVALB counts as skipped).
    init(gold: [ParseTree], parsed: [ParseTree?]) {
        var right = 0, words = 0
        let test = zip(gold, parsed).map { g, p -> String in
            guard let p else { return "" }
            let tags = g.tags
            right += zip(p.tags, tags).filter { $0 == $1 }.count
            words += tags.count
            return p.retagged(tags).bracketed
        }
        evalb = EVALB().score(gold: gold.map(\.bracketed), test: test)
        tagAccuracy = words > 0 ? 100 * Double(right) / Double(words) : nil
    }

    /// F1 over all sentences and those of at most 40 words (EVALB's F-measure is 0/0, printed
    /// -nan, when nothing matched: an F1 of 0); nil where no sentence was scored or evalb halted.
    var f1: Double? { figure(evalb.all) }
    var f1Cutoff: Double? { figure(evalb.cutoff) }

    private func figure(_ s: EVALBSummary) -> Double? {
        guard s.sentences > 0, !evalb.halted else { return nil }
        return s.fMeasure.isFinite ? s.fMeasure : 0
    }

    /// The card's lines.
    var facts: [(String, String)] {
        var out: [(String, String)]
        if evalb.halted {
            out = [("EVALB", "halted after \(evalb.messages.count) errors (\(evalb.messages.last.map { "\($0)" } ?? "")): no figures")]
        } else {
            out = [("EVALB bracketing F1 (all)", EVALBReport.number(evalb.all.fMeasure)),
                   ("EVALB bracketing F1 (len ≤ \(evalb.cutoffLength))", EVALBReport.number(evalb.cutoff.fMeasure))]
        }
        if let tagAccuracy { out.append(("tagging accuracy (every word)", EVALBReport.number(tagAccuracy))) }
        return out
    }
}
