import Foundation
import Testing
@testable import Data

/// The WMT corpus formats: what good files give, and the one-line errors bad files get.
@Suite struct ParallelCorpusTests {
    /// Writes `files` (name → contents) to a fresh directory; returns the paths by name.
    func write(_ files: [String: String]) throws -> [String: String] {
        let dir = try scratchDirectory("corpus")
        var paths: [String: String] = [:]
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            paths[name] = url.path
        }
        return paths
    }

    static let source = """
    <srcset setid="newstest2014" srclang="any">
    <doc sysid="ref" docid="1012-bbc" genre="news" origlang="en">
    <p>
    <seg id="1">India and Japan prime ministers meet in Tokyo</seg>
    <seg id="2">  Tom &amp; Jerry said &quot;hi&quot; &lt;loudly&gt; &apos;twice&apos;, AT&T &#233;t&#xE9;  </seg>
    </p>
    </doc>
    <doc docid="2" genre="news">
    <hl><seg id="1">Headline</seg></hl>
    </doc>
    </srcset>
    """

    static let reference = """
    <refset setid="newstest2014" srclang="any" trglang="de">
    <doc sysid="ref" docid="1012-bbc" genre="news" origlang="en">
    <seg id="1">Die Premierminister Indiens und Japans trafen sich in Tokio</seg>
    <seg id="2">Tom &amp;amp; Jerry</seg>
    </doc>
    <DOC docid="2">
    <SEG id=1>Schlagzeile</SEG>
    </DOC>
    </refset>
    """

    @Test func plainFilesPairLineByLine() throws {
        let p = try write(["a.en": "one\ntwo\r\n\nfour", "a.es": "uno\ndos\n\ncuatro\n"])
        let corpus = try ParallelCorpus.read(source: p["a.en"]!, target: p["a.es"]!)
        #expect(corpus.sources == ["one", "two", "", "four"])
        #expect(corpus.targets == ["uno", "dos", "", "cuatro"])
    }

    @Test func mismatchedLineCountsNameBothFilesAndCounts() throws {
        let p = try write(["b.en": "one\ntwo\nthree\n", "b.es": "uno\ndos\n"])
        let message = errorMessage { try ParallelCorpus.read(source: p["b.en"]!, target: p["b.es"]!) }
        #expect(message == "\(p["b.en"]!) has 3 lines but \(p["b.es"]!) has 2; a parallel corpus needs one sentence a line on both sides")
    }

    @Test func missingAndNonUTF8FilesAreErrors() throws {
        let p = try write(["c.en": "ok\n"])
        let missing = errorMessage { try ParallelCorpus.read(source: p["c.en"]!, target: "/nonexistent/c.es") }
        #expect(missing == "/nonexistent/c.es: cannot read the file (no such file)")
        let bad = try scratchDirectory("corpus").appendingPathComponent("bad.txt")
        try Data([0x61, 0x0A, 0x62, 0xFF, 0x0A]).write(to: bad)
        #expect(errorMessage { try ParallelCorpus.readLines(bad.path) } == "\(bad.path):2: not valid UTF-8")
    }

    @Test func tabSeparatedPairs() throws {
        let p = try write(["d.tsv": "hello\thola\nthe house\tla casa\textra column\n"])
        let corpus = try ParallelCorpus.readTSV(p["d.tsv"]!)
        #expect(corpus.pairs == [SentencePair(source: "hello", target: "hola"), SentencePair(source: "the house", target: "la casa")])
    }

    @Test func aLineWithoutATabNamesFileAndLine() throws {
        let p = try write(["e.tsv": "hello\thola\nno tab here\nbye\tadiós\n"])
        #expect(errorMessage { try ParallelCorpus.readTSV(p["e.tsv"]!) } == "\(p["e.tsv"]!):2: no tab between source and target")
    }

    @Test func sgmlSegmentsWithEntitiesDecoded() throws {
        let sgml = try WMTSGML.parse(Self.source, file: "src.sgm")
        #expect(sgml.kind == "srcset")
        #expect(sgml.attributes["setid"] == "newstest2014")
        #expect(sgml.segments.map(\.document) == ["1012-bbc", "1012-bbc", "2"])
        #expect(sgml.segments.map(\.id) == ["1", "2", "1"])
        #expect(sgml.segments.map(\.line) == [4, 5, 9])
        #expect(sgml.segments[1].text == "Tom & Jerry said \"hi\" <loudly> 'twice', AT&T été")
        #expect(WMTSGML.decodeEntities("&amp;lt; &bogus; & &#x1F600;") == "&lt; &bogus; & 😀")
    }

    @Test func sgmlSourceAndReferencePairBySegment() throws {
        let p = try write(["src.sgm": Self.source, "ref.sgm": Self.reference])
        let corpus = try ParallelCorpus.readSGML(source: p["src.sgm"]!, target: p["ref.sgm"]!)
        #expect(corpus.count == 3)
        #expect(corpus.pairs[0].target == "Die Premierminister Indiens und Japans trafen sich in Tokio")
        #expect(corpus.pairs[1].target == "Tom &amp; Jerry")
        #expect(corpus.pairs[2] == SentencePair(source: "Headline", target: "Schlagzeile"))

        let other = Self.reference.replacingOccurrences(of: "<seg id=\"2\">", with: "<seg id=\"3\">")
        let q = try write(["src.sgm": Self.source, "ref.sgm": other])
        let message = errorMessage { try ParallelCorpus.readSGML(source: q["src.sgm"]!, target: q["ref.sgm"]!) }
        #expect(message.hasPrefix("\(q["src.sgm"]!) and \(q["ref.sgm"]!) do not pair up: line 5 is document '1012-bbc' segment 2 but line 4"))
    }

    @Test(arguments: [
        ("<srcset>\n<doc docid=\"a\">\n<seg id=\"1\">open\n</doc>\n</srcset>", 3, "<seg id=\"1\"> is not closed with </seg> on its line"),
        ("<srcset>\n<doc docid=\"a\">\n<seg>no id</seg>\n</doc>\n</srcset>", 3, "<seg> without an id"),
        ("<srcset>\n<seg id=\"1\">outside</seg>\n</srcset>", 2, "<seg> outside a <doc>"),
        ("<srcset>\n<doc genre=\"news\">\n</doc>\n</srcset>", 2, "<doc> without a docid"),
        ("<doc docid=\"a\">\n</doc>", 1, "<doc> outside a <srcset>, <refset> or <tstset>"),
        ("<srcset>\n<doc docid=\"a\">\n<seg id=\"1\">x</seg>\n</srcset>", 4, "</srcset> before the </doc> of <doc docid=\"a\"> (line 2)"),
        ("<srcset>\n<doc docid=\"a\">\n<seg id=\"1\">x</seg>\n", 2, "the file ends inside <doc docid=\"a\"> (no </doc>)"),
        ("<srcset>\n<doc docid=\"a\"\n</doc>\n</srcset>", 2, "tag '<doc docid=\"a\"' has no closing '>' on its line"),
        ("<srcset>\n<doc docid=\"a>\n</doc>\n</srcset>", 2, "attribute docid of <doc> has no closing \""),
        ("<srcset>\n<doc docid=\"a\">\n<seg id=\"1\">a <b>bold</b> move</seg>\n</doc>\n</srcset>", 3, "'<' inside <seg id=\"1\"> (a tag, or a '<' not written as &lt;)"),
        ("<srcset>\n<doc docid=\"a\">\n<seg id=\"1\">x</seg>\n<seg id=\"1\">y</seg>\n</doc>\n</srcset>", 4, "a second <seg id=\"1\"> in <doc docid=\"a\">"),
        ("<srcset>\n</doc>\n</srcset>", 2, "</doc> without an open <doc>"),
        ("<srcset>\n</refset>", 2, "</refset> without an open <refset> (the open set is <srcset>)"),
        ("just text\n", 1, "no <srcset>, <refset> or <tstset>: not a WMT SGML file"),
    ])
    func malformedSGMLNamesFileLineAndProblem(_ text: String, _ line: Int, _ problem: String) {
        let message = errorMessage { try WMTSGML.parse(text, file: "test.sgm") }
        #expect(message == "test.sgm:\(line): malformed SGML: \(problem)")
    }

    @Test func malformedSGMLFileOnDiskIsNamed() throws {
        let p = try write(["bad.sgm": "<refset>\n<doc docid=\"x\">\n<seg id=\"1\">fine</seg>\n<seg id=\"2\">broken\n</doc>\n</refset>\n"])
        #expect(errorMessage { try WMTSGML.read(p["bad.sgm"]!) }
            == "\(p["bad.sgm"]!):4: malformed SGML: <seg id=\"2\"> is not closed with </seg> on its line")
    }

    @Test func cleaningDropsAsMosesCleanCorpusDoes() {
        let corpus = ParallelCorpus(pairs: [
            SentencePair(source: "  the   house ", target: "la\tcasa"),                     // kept, whitespace normalized
            SentencePair(source: "", target: "vacío"),                                        // empty
            SentencePair(source: "   ", target: "solo espacios"),                             // empty after trimming
            SentencePair(source: Array(repeating: "w", count: 6).joined(separator: " "), target: "a b"), // > 5 tokens
            SentencePair(source: "one", target: "uno"),                                       // < 2 tokens
            SentencePair(source: "a b", target: "a b c d e"),                                 // ratio 2.5 > 2
            SentencePair(source: "long long long", target: "muy largo largo"),                // > 14 characters
            SentencePair(source: "x " + String(repeating: "y", count: 11), target: "p q"),    // a word > 10 characters
            SentencePair(source: "good morning", target: "buenos días"),                      // kept
        ])
        let rules = CorpusCleaning(minTokens: 2, maxTokens: 5, maxCharacters: 14, maxRatio: 2, maxWordLength: 10)
        let (clean, report) = corpus.cleaned(rules)
        #expect(clean.pairs == [SentencePair(source: "the house", target: "la casa"), SentencePair(source: "good morning", target: "buenos días")])
        #expect(report.read == 9)
        #expect(report.kept == 2)
        #expect(report.dropped == [.empty: 2, .tooManyTokens: 1, .tooFewTokens: 1, .ratio: 1, .tooManyCharacters: 1, .longWord: 1])
        #expect(report.description == "kept 2 of 9 pairs; dropped 2 empty, 1 tooManyTokens, 1 tooFewTokens, 1 tooManyCharacters, 1 ratio, 1 longWord")
    }

    @Test func defaultCleaningIsMosesDefaults() {
        let rules = CorpusCleaning()
        #expect(rules.maxRatio == 9)
        #expect(rules.maxWordLength == 1000)
        #expect(rules.check(SentencePair(source: "a", target: Array(repeating: "b", count: 10).joined(separator: " "))) == .drop(.ratio))
        #expect(rules.check(SentencePair(source: "a", target: Array(repeating: "b", count: 9).joined(separator: " "))) != .drop(.ratio))
    }
}
