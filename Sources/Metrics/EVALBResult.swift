/// What EVALB found: a row a sentence, the summaries for all sentences and for those of at most
/// `cutoffLength` words, and the messages evalb prints on standard error.
///
/// For a model card: `all.fMeasure` and `cutoff.fMeasure`, printed as evalb prints them by
/// `EVALBReport.number`.
public struct EVALBResult: Sendable {
    /// One row a scored sentence (none for a gold line without a test line).
    public var sentences: [EVALBSentence] = []
    /// `-- All --`.
    public var all = EVALBSummary()
    /// `-- len<=40 --`: sentences whose gold length is at most `cutoffLength`.
    public var cutoff = EVALBSummary()
    /// `CUTOFF_LEN`.
    public var cutoffLength: Int
    /// evalb's error messages, in order: `12 : Length unmatch (24|25)`.
    public var messages: [EVALBMessage] = []
    /// evalb stopped after more than `MAX_ERROR + 1` errors (its exit status 1): the sentences
    /// are those before the last message's, and the report has no summary.
    public var halted = false

    public init(cutoffLength: Int = 40) {
        self.cutoffLength = cutoffLength
    }

    /// What evalb prints on standard output.
    public var report: String { EVALBReport.render(self) }

    /// What evalb prints on standard error: one line a message.
    public var errorOutput: String { messages.map { "\($0)\n" }.joined() }
}

/// One row of evalb's table.
public struct EVALBSentence: Equatable, Sendable {
    /// evalb's status column: whether the sentence was scored, or why not.
    public enum Status: Int, Sendable {
        /// 0: scored.
        case valid = 0
        /// 1: an error (unbalanced brackets, different lengths or words): not in the summaries'
        /// sums. Its row still shows the brackets when only the reading went wrong.
        case error = 1
        /// 2: the test line has no words (an empty line: the parser failed on the sentence).
        case skip = 2
    }

    /// The line number (`ID`).
    public var id: Int
    /// The gold sentence's length (`Len.`): its words but those `DELETE_LABEL_FOR_LENGTH` drops.
    public var length: Int
    public var status: Status = .valid
    /// Matched brackets.
    public var matched = 0
    /// Counted gold and test brackets.
    public var goldBrackets = 0
    public var testBrackets = 0
    /// Test brackets crossing a gold bracket.
    public var crossing = 0
    /// Words compared (those `DELETE_LABEL` leaves) and those with an equal tag.
    public var words = 0
    public var correctTags = 0

    public init(id: Int, length: Int, status: Status = .valid) {
        self.id = id
        self.length = length
        self.status = status
    }

    /// `Recal`: 100 · matched / gold brackets, 0 without gold brackets.
    public var recall: Double { goldBrackets == 0 ? 0 : 100.0 * Double(matched) / Double(goldBrackets) }
    /// `Prec.`: 100 · matched / test brackets, 0 without test brackets.
    public var precision: Double { testBrackets == 0 ? 0 : 100.0 * Double(matched) / Double(testBrackets) }
    /// `Accracy`: 100 · correct tags / words, 0 without words.
    public var tagAccuracy: Double { words == 0 ? 0 : 100.0 * Double(correctTags) / Double(words) }
}

/// One summary block: counts summed over the valid sentences, and evalb's figures from them.
public struct EVALBSummary: Equatable, Sendable {
    public var sentences = 0
    public var errorSentences = 0
    public var skipSentences = 0
    public var matched = 0
    public var goldBrackets = 0
    public var testBrackets = 0
    public var crossing = 0
    public var words = 0
    public var correctTags = 0
    /// Sentences whose brackets all match (as many gold as test brackets, all matched).
    public var completeMatches = 0
    public var noCrossing = 0
    public var twoOrLessCrossing = 0

    public init() {}

    /// Adds a row as `individual_result` does: error and skipped sentences are only counted.
    mutating func add(_ row: EVALBSentence) {
        sentences += 1
        switch row.status {
        case .error: errorSentences += 1
        case .skip: skipSentences += 1
        case .valid:
            matched += row.matched
            goldBrackets += row.goldBrackets
            testBrackets += row.testBrackets
            if row.goldBrackets == row.testBrackets && row.testBrackets == row.matched { completeMatches += 1 }
            words += row.words
            crossing += row.crossing
            if row.crossing == 0 { noCrossing += 1 }
            if row.crossing <= 2 { twoOrLessCrossing += 1 }
            correctTags += row.correctTags
        }
    }

    /// `Number of Valid sentence`.
    public var validSentences: Int { sentences - errorSentences - skipSentences }
    /// `Bracketing Recall`, percent (0 without gold brackets).
    public var recall: Double { goldBrackets > 0 ? 100.0 * Double(matched) / Double(goldBrackets) : 0 }
    /// `Bracketing Precision`, percent (0 without test brackets).
    public var precision: Double { testBrackets > 0 ? 100.0 * Double(matched) / Double(testBrackets) : 0 }
    /// `Bracketing FMeasure`: 2pr / (p + r), NaN when both are 0 (evalb prints `-nan`).
    public var fMeasure: Double {
        let p = precision, r = recall
        return 2 * p * r / (p + r)
    }
    /// `Complete match`, percent of valid sentences.
    public var completeMatch: Double { perValid(100.0 * Double(completeMatches)) }
    /// `Average crossing`: crossing brackets a valid sentence.
    public var averageCrossing: Double { perValid(1.0 * Double(crossing)) }
    /// `No crossing`, percent of valid sentences.
    public var noCrossingRate: Double { perValid(100.0 * Double(noCrossing)) }
    /// `2 or less crossing`, percent of valid sentences.
    public var twoOrLessCrossingRate: Double { perValid(100.0 * Double(twoOrLessCrossing)) }
    /// `Tagging accuracy`, percent of the words compared.
    public var taggingAccuracy: Double { words > 0 ? 100.0 * Double(correctTags) / Double(words) : 0 }

    private func perValid(_ x: Double) -> Double { validSentences > 0 ? x / Double(validSentences) : 0 }
}

/// One of evalb's messages on standard error (`Error`): `12 : Words unmatch (is|was)`.
public struct EVALBMessage: Equatable, Sendable, CustomStringConvertible {
    /// Where the problem is: one side's line, or the pair.
    public enum Side: Sendable {
        case gold, test, both
    }

    /// The line number evalb gives (for too many test lines, the gold lines + 1).
    public var line: Int
    /// evalb's text: `Length unmatch (24|25)`.
    public var text: String
    public var side: Side
    /// The column (in characters, from 1) of a problem met reading a line, when there is one.
    public var column: Int?

    public init(line: Int, text: String, side: Side, column: Int? = nil) {
        self.line = line
        self.text = text
        self.side = side
        self.column = column
    }

    /// `12 : Words unmatch (is|was)`, as evalb prints it.
    public var description: String { "\(line) : \(text)" }
}
