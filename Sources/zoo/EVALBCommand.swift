import ArgumentParser
import Foundation
import Tasks

/// `zoo evalb`: bracketing scores of constituency parses, printed as EVALB prints them.
struct EVALBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evalb",
        abstract: "Score constituency parses with EVALB, printing what evalb prints.",
        discussion: """
        GOLD and TEST hold one tree a line, such as (S (NP (DT The) (NN cat)) (VP (VBD sat)) (. .)), \
        line i of TEST being the parse of the sentence of line i of GOLD. The output is that of \
        `evalb -p PARAMS GOLD TEST` (EVALB, Sekine and Collins, with the 2006 quote fix), byte for \
        byte: a row a sentence, then labeled bracketing recall, precision and F-measure, complete \
        matches, crossing brackets and tagging accuracy over all sentences and over those of at \
        most CUTOFF_LEN words. evalb's messages (`12 : Length unmatch (24|25)`) go to standard \
        error; like evalb, it gives up on the one after the first MAX_ERROR+1 (the 12th with \
        MAX_ERROR 10), with exit status 1 and no summary. evalb's limits (200 words a sentence, 100 bytes a word, 5000 a line) do not apply. \
        Files must be UTF-8: invalid UTF-8 is an error naming the file and the line.

        Without -p the settings are COLLINS.prm's, the usual ones: TOP, traces (-NONE-) and the \
        punctuation tags , : `` '' . deleted, ADVP and PRT counted as the same label. A parameter \
        file sets DEBUG, MAX_ERROR, CUTOFF_LEN, LABELED, DELETE_LABEL, DELETE_LABEL_FOR_LENGTH, \
        QUOTE_LABEL, EQ_LABEL and EQ_WORD as evalb reads them; an unknown key or a value evalb \
        would misread is an error. An empty parameter file gives evalb's settings without -p.

        With --json the summaries are printed as one JSON object: {"cutoff_length": 40, "all": \
        {...}, "cutoff": {...}}, each with the counts and the figures as evalb prints them \
        (recall, precision, f1, complete_match, average_crossing, no_crossing, \
        two_or_less_crossing, tagging_accuracy; f1 is null when nothing matched).

        Examples:
          zoo evalb gold.txt parsed.txt
          zoo evalb gold.txt parsed.txt -p COLLINS_unlabeled.prm
          zoo evalb gold.txt parsed.txt --json
        """
    )

    @Argument(help: ArgumentHelp("The gold trees, one a line.", valueName: "gold"))
    var gold: String

    @Argument(help: ArgumentHelp("The parser's trees, one a line.", valueName: "test"))
    var test: String

    @Option(name: [.customShort("p"), .long], help: ArgumentHelp("An evalb parameter file (default: COLLINS.prm's settings).", valueName: "file"))
    var params: String?

    @Flag(help: "Print the summaries as one JSON object instead of evalb's report.")
    var json = false

    func run() throws {
        let parameters = try params.map(EVALBParameters.read) ?? .collins
        let goldLines = try ParallelCorpus.readLines(gold)
        let testLines = try ParallelCorpus.readLines(test)
        let result = EVALB(parameters: parameters).score(gold: goldLines, test: testLines)
        FileHandle.standardError.write(Data(result.errorOutput.utf8))
        if result.halted {
            if !json { FileHandle.standardOutput.write(Data(result.report.utf8)) }
            let last = result.messages.last.map { message -> String in
                let column = message.column.map { ":\($0)" } ?? ""
                let place = switch message.side {
                case .gold: "\(gold):\(message.line)\(column)"
                case .test: "\(test):\(message.line)\(column)"
                case .both: "\(gold):\(message.line) and \(test):\(message.line)"
                }
                let hint = message.text == "Reading sentence" ? " (text outside a preterminal, such as a bare word)" : ""
                return "\(place): \(message.text)\(hint)"
            } ?? gold
            throw CommandError("\(last): evalb stops after \(result.messages.count) errors (MAX_ERROR \(parameters.maxError)); the report has no summary")
        }
        if json {
            print(Self.json(result))
        } else {
            FileHandle.standardOutput.write(Data(result.report.utf8))
        }
    }

    /// The summaries as one JSON object on one line.
    static func json(_ result: EVALBResult) -> String {
        func figure(_ x: Double) -> String { x.isFinite ? EVALBReport.number(x) : "null" }
        func summary(_ s: EVALBSummary) -> String {
            let items: [(String, String)] = [
                ("sentences", "\(s.sentences)"), ("error_sentences", "\(s.errorSentences)"), ("skip_sentences", "\(s.skipSentences)"),
                ("valid_sentences", "\(s.validSentences)"), ("matched_brackets", "\(s.matched)"), ("gold_brackets", "\(s.goldBrackets)"),
                ("test_brackets", "\(s.testBrackets)"), ("recall", figure(s.recall)), ("precision", figure(s.precision)),
                ("f1", figure(s.fMeasure)), ("complete_match", figure(s.completeMatch)), ("average_crossing", figure(s.averageCrossing)),
                ("no_crossing", figure(s.noCrossingRate)), ("two_or_less_crossing", figure(s.twoOrLessCrossingRate)),
                ("words", "\(s.words)"), ("correct_tags", "\(s.correctTags)"), ("tagging_accuracy", figure(s.taggingAccuracy)),
            ]
            return "{" + items.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
        return "{\"cutoff_length\": \(result.cutoffLength), \"all\": \(summary(result.all)), \"cutoff\": \(summary(result.cutoff))}"
    }
}
