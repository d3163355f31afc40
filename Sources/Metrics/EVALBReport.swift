import Foundation

/// What evalb prints on standard output, character for character: the table's head, a row a
/// sentence (`individual_result`), then the totals row and the two summaries (`print_total`).
public enum EVALBReport {
    static let rule = "============================================================================\n"

    static let head = """
          Sent.                        Matched  Bracket   Cross        Correct Tag
         ID  Len.  Stat. Recal  Prec.  Bracket gold test Bracket Words  Tags Accracy

        """ + rule

    /// The whole report, with its final newline; without the summary when evalb stopped early.
    public static func render(_ result: EVALBResult) -> String {
        var out = head
        for row in result.sentences { out += line(row) }
        if result.halted { return out }
        out += rule
        let all = result.all
        if all.goldBrackets > 0 && all.testBrackets > 0 {
            out += "                " + f(all.recall) + " " + f(all.precision) + " " + d(all.matched, 6) + " " + d(all.goldBrackets, 5)
                + " " + d(all.testBrackets, 5) + "  " + d(all.crossing, 5)
        }
        out += "  " + d(all.words, 5) + " " + d(all.correctTags, 5) + "   " + f(all.taggingAccuracy) + "\n"
        out += "=== Summary ===\n"
        out += "\n-- All --\n" + summary(all)
        out += "\n-- len<=\(result.cutoffLength) --\n" + summary(result.cutoff)
        return out
    }

    /// One row: `   1    8    0  100.00 100.00     5      5    5      0      6     5    83.33`.
    public static func line(_ s: EVALBSentence) -> String {
        d(s.id, 4) + "  " + d(s.length, 3) + "    " + "\(s.status.rawValue)" + "  "
            + f(s.recall) + " " + f(s.precision) + "   " + d(s.matched, 3) + "    " + d(s.goldBrackets, 3) + "  " + d(s.testBrackets, 3)
            + "    " + d(s.crossing, 3) + "   " + d(s.words, 4) + "  " + d(s.correctTags, 4) + "   " + f(s.tagAccuracy) + "\n"
    }

    static func summary(_ s: EVALBSummary) -> String {
        """
        Number of sentence        = \(d(s.sentences, 6))
        Number of Error sentence  = \(d(s.errorSentences, 6))
        Number of Skip  sentence  = \(d(s.skipSentences, 6))
        Number of Valid sentence  = \(d(s.validSentences, 6))
        Bracketing Recall         = \(f(s.recall))
        Bracketing Precision      = \(f(s.precision))
        Bracketing FMeasure       = \(f(s.fMeasure))
        Complete match            = \(f(s.completeMatch))
        Average crossing          = \(f(s.averageCrossing))
        No crossing               = \(f(s.noCrossingRate))
        2 or less crossing        = \(f(s.twoOrLessCrossingRate))
        Tagging accuracy          = \(f(s.taggingAccuracy))

        """
    }

    /// A figure as evalb prints it, without padding: C's `%.2f` (`89.12`; glibc's `-nan` or `nan`
    /// for the F-measure of nothing matched, by the sign of the NaN the division gave).
    public static func number(_ x: Double) -> String {
        if x.isNaN { return x.sign == .minus ? "-nan" : "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return String(format: "%.2f", x)
    }

    /// `%6.2f`.
    static func f(_ x: Double) -> String { pad(number(x), 6) }

    /// `%<width>d`.
    static func d(_ n: Int, _ width: Int) -> String { pad(String(n), width) }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
