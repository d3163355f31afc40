import Foundation
import Testing
@testable import Metrics
import Data

/// evalb's own output on many small cases (Tests/Fixtures/make_evalb_fixtures.py): for each,
/// NAME.gld, NAME.tst, a parameter file, and what `evalb -p PRM NAME.gld NAME.tst` printed on
/// standard output (NAME.rsl) and standard error (NAME.err), and its exit status.
struct EVALBFixture: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    /// A .prm file in the fixture folder, or nil: evalb run without -p.
    var params: String?
    var status: Int
    var about: String

    var testDescription: String { name }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/evalb")

    static let cases: [EVALBFixture] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("cases.json"))
        return try! JSONDecoder().decode([EVALBFixture].self, from: data)
    }()

    func path(_ ext: String) -> String { Self.directory.appendingPathComponent(name + ext).path }

    func text(_ ext: String) throws -> String { try String(contentsOfFile: path(ext), encoding: .utf8) }

    func parameters() throws -> EVALBParameters {
        try params.map { try EVALBParameters.read(Self.directory.appendingPathComponent($0).path) } ?? EVALBParameters()
    }

    func score() throws -> EVALBResult {
        EVALB(parameters: try parameters()).score(gold: try ParallelCorpus.readLines(path(".gld")), test: try ParallelCorpus.readLines(path(".tst")))
    }
}

@Suite struct EVALBTests {
    @Test func fixturesCoverWhatTheyShould() {
        let names = Set(EVALBFixture.cases.map(\.name))
        #expect(EVALBFixture.cases.count >= 30)
        for name in ["punctuation_attachment", "traces", "length_and_word_mismatch", "advp_prt", "unlabeled", "skipped", "long_sentences",
                     "max_error_reached", "quotes", "random_clean", "random_errors"] {
            #expect(names.contains(name), "no fixture \(name)")
        }
        #expect(EVALBFixture.cases.contains { $0.status != 0 })
    }

    /// The report is evalb's standard output, byte for byte; the messages its standard error.
    @Test(arguments: EVALBFixture.cases)
    func reportIsWhatEvalbPrints(_ c: EVALBFixture) throws {
        let result = try c.score()
        #expect(result.report == (try c.text(".rsl")))
        #expect(result.errorOutput == (try c.text(".err")))
        #expect(result.halted == (c.status != 0))
    }

    @Test func collinsParameterFileIsTheBuiltInSetting() throws {
        let collins = try EVALBParameters.read(EVALBFixture.directory.appendingPathComponent("COLLINS.prm").path)
        #expect(collins == .collins)
        var unlabeled = EVALBParameters.collins
        unlabeled.labeled = false
        #expect(try EVALBParameters.read(EVALBFixture.directory.appendingPathComponent("COLLINS_unlabeled.prm").path) == unlabeled)
        #expect(EVALB().parameters == .collins)
    }

    @Test func summaryFiguresForAModelCard() throws {
        let c = try #require(EVALBFixture.cases.first { $0.name == "random_errors" })
        let result = try c.score()
        let rsl = try c.text(".rsl")
        // The figures are those the report prints.
        let f1 = rsl.split(separator: "\n").filter { $0.hasPrefix("Bracketing FMeasure") }.map { String($0.split(separator: "=")[1].trimmingCharacters(in: .whitespaces)) }
        #expect(f1 == [EVALBReport.number(result.all.fMeasure), EVALBReport.number(result.cutoff.fMeasure)])
        let tagging = rsl.split(separator: "\n").filter { $0.hasPrefix("Tagging accuracy") }.map { String($0.split(separator: "=")[1].trimmingCharacters(in: .whitespaces)) }
        #expect(tagging == [EVALBReport.number(result.all.taggingAccuracy), EVALBReport.number(result.cutoff.taggingAccuracy)])
        #expect(result.all.validSentences == result.all.sentences - result.all.errorSentences - result.all.skipSentences)
        #expect(result.all.sentences == result.sentences.count)
    }

    // MARK: Beyond evalb.c's fixed limits (200 words or brackets, 100-byte words, 30-byte labels, 5000-byte lines)

    /// `(S (NP-… (NN w000)) (NP-… (NN w001)) …)`: `count` words, each in its own NP.
    static func flat(_ count: Int, label: (Int) -> String = { _ in "NP-SUBJECT-WITH-A-RATHER-LONG-FUNCTION-TAG" }, tag: (Int) -> String = { _ in "NN" }) -> String {
        "(S " + (0..<count).map { "(\(label($0)) (\(tag($0)) w\(String(format: "%03d", $0))))" }.joined(separator: " ") + ")"
    }

    @Test func a250WordSentenceScoresAsItShould() throws {
        let gold = Self.flat(250)
        #expect(gold.utf8.count > 5000)
        let same = EVALB().score(gold: [gold], test: [gold])
        #expect(!same.halted && same.messages.isEmpty)
        // 251 brackets (S and 250 NPs), all matched; 250 words, all tagged right.
        #expect(EVALBReport.line(same.sentences[0]) == "   1  250    0  100.00 100.00   251    251  251      0    250   250   100.00\n")
        #expect(same.all.recall == 100 && same.all.precision == 100 && same.all.fMeasure == 100)
        #expect(same.cutoff.sentences == 0)
        #expect(same.report.contains("\n-- len<=40 --\nNumber of sentence        =      0\n"))

        // One NP relabelled VP and one tag changed: 250 of 251 brackets, 249 of 250 tags.
        let test = Self.flat(250, label: { $0 == 100 ? "VP" : "NP" }, tag: { $0 == 7 ? "VB" : "NN" })
        let one = EVALB().score(gold: [gold], test: [test])
        let row = one.sentences[0]
        #expect((row.matched, row.goldBrackets, row.testBrackets, row.crossing, row.words, row.correctTags) == (250, 251, 251, 0, 250, 249))
        #expect(EVALBReport.number(one.all.recall) == "99.60")         // 100 · 250 / 251 = 99.6016
        #expect(EVALBReport.number(one.all.precision) == "99.60")
        #expect(EVALBReport.number(one.all.fMeasure) == "99.60")
        #expect(EVALBReport.number(one.all.taggingAccuracy) == "99.60") // 100 · 249 / 250
        #expect(one.report.contains("\nBracketing Recall         =  99.60\nBracketing Precision      =  99.60\nBracketing FMeasure       =  99.60\n"))
        #expect(one.report.contains("\nComplete match            =   0.00\n"))
        #expect(one.report.contains("\n                 99.60  99.60    250   251   251      0    250   249    99.60\n"))
    }

    @Test func aLongWordAndManyBracketsScoreAsTheyShould() throws {
        let word = String(repeating: "abcdefghij", count: 15) // 150 bytes
        let gold = "(S (NP (DT the) (NN \(word))) (VP (VBZ runs)))"
        let result = EVALB().score(gold: [gold, gold], test: [gold, gold.replacingOccurrences(of: word, with: word.dropLast() + "X")])
        #expect(result.messages.map(\.description) == ["2 : Words unmatch (\(word)|\(word.dropLast())X)"])
        #expect(EVALBReport.line(result.sentences[0]) == "   1    3    0  100.00 100.00     3      3    3      0      3     3   100.00\n")
        #expect(result.sentences[1].status == .error)
        #expect(result.all.validSentences == 1 && result.all.fMeasure == 100)

        // 300 nested unary VPs over one word: 301 brackets; the test has 150 of them.
        func nested(_ n: Int) -> String { String(repeating: "(VP ", count: n) + "(S (VB go))" + String(repeating: ")", count: n) }
        let deep = EVALB().score(gold: [nested(300)], test: [nested(150)])
        let row = deep.sentences[0]
        #expect((row.matched, row.goldBrackets, row.testBrackets) == (151, 301, 151))
        #expect(EVALBReport.number(deep.all.recall) == "50.17")   // 100 · 151 / 301 = 50.166
        #expect(EVALBReport.number(deep.all.precision) == "100.00")
    }

    // MARK: The parameter file

    @Test func parameterFilesAreReadAsEvalbReadsThem() throws {
        let p = try EVALBParameters.parse([
            "# a comment", "", "   ", "DEBUG 0", "MAX_ERROR 25   ", "CUTOFF_LEN\t100\r", "LABELED 0",
            "DELETE_LABEL TOP", "DELETE_LABEL -NONE-", "DELETE_LABEL_FOR_LENGTH -NONE-", "QUOTE_LABEL POS",
            "EQ_LABEL  ADVP   PRT ", "EQ_WORD colour\tcolor",
        ], file: "x.prm")
        #expect(p == EVALBParameters(debug: 0, maxError: 25, cutoffLength: 100, labeled: false, deleteLabels: ["TOP", "-NONE-"],
                                     deleteLabelsForLength: ["-NONE-"], quoteLabels: ["POS"], equivalentLabels: [.init("ADVP", "PRT")],
                                     equivalentWords: [.init("colour", "color")]))
        #expect(try EVALBParameters.parse([], file: "empty.prm") == EVALBParameters())
    }

    @Test(arguments: [
        ("LABELED 1\nFOO 3", "x.prm:2:1: unknown key 'FOO'"),
        ("DELETE_LABELS TOP", "x.prm:1:1: unknown key 'DELETE_LABELS'"),
        ("X", "x.prm:1:1: unknown key 'X'"),
        ("  LABELED 1", "x.prm:1:1: a key must start the line"),
        ("\n\nLABELED", "x.prm:3:8: LABELED has no value"),
        ("LABELED yes", "x.prm:1:9: LABELED takes an integer, not 'yes'"),
        ("MAX_ERROR 1.5", "x.prm:1:11: MAX_ERROR takes an integer, not '1.5'"),
        ("CUTOFF_LEN 99999999999", "x.prm:1:12: CUTOFF_LEN takes an integer"),
        ("EQ_LABEL ADVP", "x.prm:1:10: EQ_LABEL takes two values, not 1"),
        ("EQ_WORD a b c", "x.prm:1:9: EQ_WORD takes two values, not 3"),
        ("DELETE_LABEL , .", "x.prm:1:14: DELETE_LABEL takes one label"),
    ])
    func badParameterLinesAreErrorsNamingTheirPlace(_ text: String, _ message: String) {
        let error = #expect(throws: EVALBParameterError.self) {
            try EVALBParameters.parse(text.components(separatedBy: "\n"), file: "x.prm")
        }
        #expect(error.map { "\($0)".hasPrefix(message) } == true, "\(String(describing: error))")
    }

    @Test func unreadableParameterFilesAreErrorsNamingTheFile() throws {
        #expect(throws: ParallelCorpusError.unreadable(file: "/nonexistent/x.prm", reason: "no such file")) {
            try EVALBParameters.read("/nonexistent/x.prm")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evalb-\(UUID().uuidString).prm")
        try Data([0x4C, 0x41, 0x42, 0x45, 0x4C, 0x45, 0x44, 0x20, 0x31, 0x0A, 0x23, 0xFF, 0x0A]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ParallelCorpusError.invalidUTF8(file: url.path, line: 2)) { try EVALBParameters.read(url.path) }
    }

    // MARK: Reading and scoring details

    @Test func readingProblemsAreEvalbsMessagesWithTheirColumn() {
        let result = EVALB().score(gold: ["(S (NP (NN a)) (VP (VBZ b)) c)"], test: ["(S (NP (NN a)) (VP (VBZ b)))"])
        #expect(result.halted)
        #expect(result.messages.count == 12)   // MAX_ERROR 10: the 12th error stops evalb
        #expect(result.messages.allSatisfy { $0.description == "1 : Reading sentence" && $0.side == .gold && $0.column == 29 })
        #expect(result.report == EVALBReport.head)
    }

    @Test func emptyInputGivesEvalbsEmptyReport() {
        let result = EVALB().score(gold: [], test: [])
        func block(_ name: String, _ f: Double) -> [String] {
            ["", "-- \(name) --", "Number of sentence        =      0", "Number of Error sentence  =      0",
             "Number of Skip  sentence  =      0", "Number of Valid sentence  =      0", "Bracketing Recall         =   0.00",
             "Bracketing Precision      =   0.00", "Bracketing FMeasure       =   \(EVALBReport.number(f))",
             "Complete match            =   0.00", "Average crossing          =   0.00", "No crossing               =   0.00",
             "2 or less crossing        =   0.00", "Tagging accuracy          =   0.00"]
        }
        let tail: [String] = [EVALBReport.rule.trimmingCharacters(in: .newlines), "      0     0     0.00", "=== Summary ==="]
            + block("All", result.all.fMeasure) + block("len<=40", result.cutoff.fMeasure)
        #expect(result.report == EVALBReport.head + tail.joined(separator: "\n") + "\n")
        #expect(result.all.fMeasure.isNaN)
    }
}
