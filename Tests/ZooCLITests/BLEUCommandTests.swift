import Foundation
import Testing

/// `zoo bleu` prints what `sacrebleu REF... -i HYP -m bleu chrf` prints (Tests/Fixtures/bleu).
@Suite struct BLEUCommandTests {
    struct Case: Decodable {
        struct CLI: Decodable {
            var text: String
            var json: String
            var text_w2_bleu: String
        }
        struct Metric: Decodable { var line: String }
        var name: String
        var hypotheses: [String]
        var references: [[String]]
        var bleu: Metric?
        var cli: CLI?
    }

    struct Fixture: Decodable { var cases: [Case] }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: ZooCLITests.fixtures.appendingPathComponent("bleu/cases.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data).cases
    }()

    /// The case's hypotheses and references as files, one sentence a line: (hyp, [ref]).
    func files(_ c: Case) throws -> (String, [String]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-bleu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func write(_ name: String, _ lines: [String]) throws -> String {
            let url = dir.appendingPathComponent(name)
            try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: url)
            return url.path
        }
        return (try write("hyp.txt", c.hypotheses), try c.references.enumerated().map { try write("ref\($0.offset).txt", $0.element) })
    }

    @Test(arguments: ["readme_example", "readme_example_two_refs", "three_refs", "empty_hypotheses", "unicode_emoji", "whitespace", "ruth_two_refs"])
    func printsSacreBLEUsLines(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let expected = try #require(c.cli)
        let (hyp, refs) = try files(c)
        let refArgs = refs.flatMap { ["--ref", $0] }
        let cli = ZooCLITests()
        let text = try cli.run(["bleu"] + refArgs + ["--hyp", hyp, "--chrf"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == expected.text)
        let json = try cli.run(["bleu"] + refArgs + ["--hyp", hyp, "--chrf", "--format", "json"])
        #expect(json.stdout == expected.json)
        let bleuOnly = try cli.run(["bleu"] + refArgs + ["--width", "2"], input: c.hypotheses.map { $0 + "\n" }.joined())
        #expect(bleuOnly.stdout == expected.text_w2_bleu)
    }

    /// Each example of `zoo bleu --help`, run as written on files of the names it uses holding
    /// the README example (one reference per --ref), prints what sacreBLEU printed for them.
    @Test func helpExamplesPrintSacreBLEUsLines() throws {
        let cli = ZooCLITests()
        let calls = try cli.help(["bleu"]).examples.flatMap(ZooCLITests.invocations)
        try #require(calls.count >= 2, "zoo bleu --help: \(calls)")
        for call in calls {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-bleu-example-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            func value(after i: Int) -> String? { i + 1 < call.count ? call[i + 1] : nil }
            let refs = call.indices.filter { call[$0] == "--ref" }.compactMap(value(after:))
            let hyp = try #require(call.firstIndex(of: "--hyp").flatMap(value(after:)), "\(call)")
            let c = try #require(Self.cases.first { $0.name == (refs.count == 1 ? "readme_example" : "readme_example_two_refs") })
            try #require(c.references.count == refs.count, "\(call)")
            for (name, lines) in [(hyp, c.hypotheses)] + Array(zip(refs, c.references)) {
                let url = dir.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: url)
            }
            let expected = try #require(c.cli)
            let json = zip(call, call.dropFirst()).contains { $0 == "--format" && $1 == "json" }
            let bleuLine = try #require(c.bleu?.line)
            let want = json ? expected.json : call.contains("--chrf") ? expected.text : bleuLine + "\n"
            let r = try cli.run(Array(call.dropFirst()), in: dir)
            #expect(r.status == 0, "\(call): \(r.stderr)")
            #expect(r.stdout == want, "\(call.joined(separator: " "))")
        }
    }

    @Test func badInputGetsOneErrorLineAndNonZeroExit() throws {
        let c = try #require(Self.cases.first { $0.name == "readme_example" })
        let (hyp, refs) = try files(c)
        let short = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-bleu-short-\(UUID().uuidString).txt")
        try Data("one line\n".utf8).write(to: short)
        let cases: [([String], String)] = [
            (["bleu", "--ref", "/nonexistent/ref.txt", "--hyp", hyp], "/nonexistent/ref.txt: cannot read the file (no such file)"),
            (["bleu", "--ref", refs[0], "--hyp", "/nonexistent/hyp.txt"], "/nonexistent/hyp.txt: cannot read the file (no such file)"),
            (["bleu", "--ref", short.path, "--hyp", hyp], "\(hyp) has 3 lines but reference \(short.path) has 1"),
            (["bleu", "--hyp", hyp], "at least one --ref"),
        ]
        for (arguments, mention) in cases {
            let r = try ZooCLITests().run(arguments, input: "")
            #expect(r.status != 0, "zoo \(arguments.joined(separator: " ")) exited 0")
            let firstLine = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.contains(mention), "zoo \(arguments.joined(separator: " ")): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }
}
