import ArgumentParser
import Foundation
import Tasks

/// `zoo bleu`: corpus BLEU (and chrF) of a translation, printed as sacreBLEU prints it.
struct BLEUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bleu",
        abstract: "Score a translation with sacreBLEU's BLEU (and chrF), printing what sacreBLEU prints.",
        discussion: """
        BLEU and chrF are sacreBLEU \(SacreBLEU.version)'s defaults (13a tokenization, exponential \
        smoothing; chrF2 with character n-grams up to 6) and give the same numbers. The output is \
        that of `sacrebleu REF... -i HYP -m bleu chrf -f text` (or, with --format json, its default \
        JSON), the signature included. Files hold one sentence a line; give --ref once for each \
        reference translation. The hypotheses come from standard input without --hyp. Files \
        must be UTF-8: invalid UTF-8 is an error naming the file (or "stdin") and the line.

        Examples:
          zoo bleu --ref newstest.de --hyp output.de
          zoo bleu --ref ref1.es --ref ref2.es --hyp output.es --chrf --format json
        """
    )

    @Option(help: ArgumentHelp("A reference file, one sentence a line (repeat for several references).", valueName: "file"))
    var ref: [String] = []

    @Option(help: ArgumentHelp("The hypothesis file, one sentence a line (default: standard input).", valueName: "file"))
    var hyp: String?

    @Flag(help: "Also print chrF2.")
    var chrf = false

    @Option(help: "text (sacreBLEU's -f text) or json (sacreBLEU's default output).")
    var format: SacreBLEUReport.Format = .text

    @Option(help: "Decimals of the scores (sacreBLEU's -w).")
    var width: Int = 1

    @Flag(help: "The short form of the signature (sacreBLEU's -sh).")
    var short = false

    @Flag(help: "Print only the scores (sacreBLEU's -b).")
    var scoreOnly = false

    func validate() throws {
        if ref.isEmpty { throw ValidationError("give at least one --ref file") }
        if width < 0 { throw ValidationError("--width must be 0 or more, not \(width)") }
    }

    func run() throws {
        let references = try ref.map(ParallelCorpus.readLines)
        let hypotheses = try hyp.map(ParallelCorpus.readLines) ?? Self.standardInputLines()
        let hypName = hyp ?? TextInput.standardInputName
        if hypotheses.isEmpty { throw CommandError("\(hypName): no hypotheses (the input is empty)") }
        for (file, lines) in zip(ref, references) where lines.count != hypotheses.count {
            throw CommandError("\(hypName) has \(hypotheses.count) lines but reference \(file) has \(lines.count); they must have one line per sentence")
        }
        if let warning = BLEU.tokenizedPeriodWarning(hypotheses) {
            FileHandle.standardError.write(Data(warning.split(separator: "\n").map { "sacreBLEU: \($0)\n" }.joined().utf8))
        }
        var scores: [any MetricScore] = [try BLEU().corpusScore(hypotheses: hypotheses, references: references)]
        if chrf { scores.append(try ChrF().corpusScore(hypotheses: hypotheses, references: references)) }
        print(SacreBLEUReport.render(scores, format: format, width: width, short: short, scoreOnly: scoreOnly))
    }

    static func standardInputLines() throws -> [String] {
        try ParallelCorpus.lines(FileHandle.standardInput.readDataToEndOfFile(), file: TextInput.standardInputName)
    }
}

extension SacreBLEUReport.Format: ExpressibleByArgument {}
