import Foundation
import Testing
@testable import Metrics
import Data

/// sacreBLEU's own numbers and output on many small cases (Tests/Fixtures/make_bleu_fixtures.py).
struct SacreBLEUFixture: Decodable {
    struct TokenizerLine: Decodable {
        var input: String
        var output: String
    }

    struct BLEUExpected: Decodable {
        var score: Double
        var counts: [Int]
        var totals: [Int]
        var precisions: [Double]
        var bp: Double
        var sys_len: Int
        var ref_len: Int
        var signature: String
        var short: String
        var str: String
        var line: String
    }

    struct ChrFExpected: Decodable {
        var score: Double
        var stats: [Int]
        var signature: String
        var short: String
        var str: String
        var line: String
    }

    /// The stdout of sacreBLEU's command line on the case written to files.
    struct CLIExpected: Decodable {
        var text: String
        var json: String
        var text_w2_bleu: String
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var hypotheses: [String]
        var references: [[String]]
        var bleu: BLEUExpected
        var chrf: ChrFExpected
        var cli: CLIExpected?
        var testDescription: String { name }
    }

    var sacrebleu_version: String
    var tokenizer13a: [TokenizerLine]
    var cases: [Case]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bleu")

    static let shared: SacreBLEUFixture = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("cases.json"))
        return try! JSONDecoder().decode(SacreBLEUFixture.self, from: data)
    }()
}

extension SacreBLEUFixture.BLEUExpected: Sendable {}
extension SacreBLEUFixture.ChrFExpected: Sendable {}
extension SacreBLEUFixture.CLIExpected: Sendable {}

@Suite struct BLEUTests {
    @Test func fixturesComeFromTheSacreBLEUVersionWeMatch() {
        #expect(SacreBLEUFixture.shared.sacrebleu_version == SacreBLEU.version)
        #expect(SacreBLEUFixture.shared.cases.count >= 30)
    }

    @Test func tokenizer13aMatchesSacreBLEU() {
        let tokenizer = Tokenizer13a()
        for line in SacreBLEUFixture.shared.tokenizer13a {
            #expect(tokenizer(line.input) == line.output, "input \(line.input.debugDescription)")
        }
    }

    @Test(arguments: SacreBLEUFixture.shared.cases)
    func bleuCountsScoreAndLineMatchSacreBLEU(_ c: SacreBLEUFixture.Case) throws {
        let bleu = try BLEU().corpusScore(hypotheses: c.hypotheses, references: c.references)
        #expect(bleu.counts == c.bleu.counts)
        #expect(bleu.totals == c.bleu.totals)
        #expect(bleu.hypothesisLength == c.bleu.sys_len)
        #expect(bleu.referenceLength == c.bleu.ref_len)
        // The same operations in the same order as Python: the same doubles, not just close ones.
        #expect(bleu.score == c.bleu.score)
        #expect(bleu.precisions == c.bleu.precisions)
        #expect(bleu.brevityPenalty == c.bleu.bp)
        #expect(PythonFormat.fixed(bleu.score, 2) == PythonFormat.fixed(c.bleu.score, 2))
        #expect(bleu.description == c.bleu.str)
        #expect(bleu.signature.description == c.bleu.signature)
        #expect(bleu.signature.formatted(short: true) == c.bleu.short)
        #expect(bleu.formatted(width: 1, signature: bleu.signature.description) == c.bleu.line)
    }

    @Test(arguments: SacreBLEUFixture.shared.cases)
    func chrFStatisticsScoreAndLineMatchSacreBLEU(_ c: SacreBLEUFixture.Case) throws {
        let chrf = try ChrF().corpusScore(hypotheses: c.hypotheses, references: c.references)
        #expect(chrf.statistics == c.chrf.stats)
        #expect(chrf.score == c.chrf.score)
        #expect(PythonFormat.fixed(chrf.score, 2) == PythonFormat.fixed(c.chrf.score, 2))
        #expect(chrf.description == c.chrf.str)
        #expect(chrf.signature.description == c.chrf.signature)
        #expect(chrf.signature.formatted(short: true) == c.chrf.short)
        #expect(chrf.formatted(width: 1, signature: chrf.signature.description) == c.chrf.line)
    }

    /// `sacrebleu REF... -i HYP -m bleu chrf -f text` (and `-f json`, and `-m bleu -w 2`), byte for byte.
    @Test(arguments: SacreBLEUFixture.shared.cases.filter { $0.cli != nil })
    func reportsPrintWhatSacreBLEUsCommandLinePrints(_ c: SacreBLEUFixture.Case) throws {
        let cli = try #require(c.cli)
        let bleu = try BLEU().corpusScore(hypotheses: c.hypotheses, references: c.references)
        let chrf = try ChrF().corpusScore(hypotheses: c.hypotheses, references: c.references)
        #expect(SacreBLEUReport.render([bleu, chrf], format: .text) + "\n" == cli.text)
        #expect(SacreBLEUReport.render([bleu, chrf], format: .json) + "\n" == cli.json)
        #expect(SacreBLEUReport.render([bleu], format: .text, width: 2) + "\n" == cli.text_w2_bleu)
    }

    @Test func closestReferenceLengthPrefersTheShorterOnTies() {
        #expect(BLEU.closestReferenceLength(5, [4, 6]) == 4)
        #expect(BLEU.closestReferenceLength(5, [6, 4]) == 4)
        #expect(BLEU.closestReferenceLength(5, [7, 6, 3]) == 6)
        #expect(BLEU.closestReferenceLength(0, [0]) == 0)
    }

    /// Exponential smoothing: the k-th order without a match counts as 1/2^k of a match.
    @Test func exponentialSmoothingHalvesEachUnmatchedOrder() {
        var s = BLEUStatistics()
        s.hypothesisLength = 5
        s.referenceLength = 5
        s.correct = [3, 0, 0, 0]
        s.total = [5, 4, 3, 2]
        let (_, precisions, bp) = BLEU.score(s)
        let expected: [Double] = [60, 100.0 / 8, 100.0 / 12, 100.0 / 16] // 100 / (2^k · total)
        #expect(precisions == expected)
        #expect(bp == 1)
    }

    @Test func signatureNamesTheVersionAndVariableReferenceCounts() throws {
        let bleu = try BLEU().corpusScore(hypotheses: ["a b", "c"], segmentReferences: [["a b"], ["c", "d"]])
        #expect(bleu.signature.description == "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:\(SacreBLEU.version)")
        let chrf = try ChrF().corpusScore(hypotheses: ["a b"], references: [["a b"], ["a c"], ["b"]])
        #expect(chrf.signature.description == "nrefs:3|case:mixed|eff:yes|nc:6|nw:0|space:no|version:\(SacreBLEU.version)")
    }

    @Test func badInputIsAClearError() {
        #expect(throws: MetricError.noHypotheses) { try BLEU().corpusScore(hypotheses: [], references: [[]]) }
        #expect(throws: MetricError.lengthMismatch(hypotheses: 2, stream: 1, references: 1)) {
            try BLEU().corpusScore(hypotheses: ["a", "b"], references: [["a", "b"], ["a"]])
        }
        #expect(throws: MetricError.noReferences(segment: 1)) {
            try ChrF().corpusScore(hypotheses: ["a", "b"], segmentReferences: [["a"], []])
        }
        #expect("\(MetricError.lengthMismatch(hypotheses: 2, stream: 1, references: 1))".contains("reference stream 2"))
    }

    @Test func tokenizedPeriodsWarnAsSacreBLEUDoes() {
        #expect(BLEU.tokenizedPeriodWarning(Array(repeating: "a b .", count: 99)) == nil)
        #expect(BLEU.tokenizedPeriodWarning(Array(repeating: "a b .", count: 100))?.hasPrefix("That's 100 lines") == true)
    }
}
