import Foundation
import Testing

/// `zoo evalb` prints what `evalb -p PRM GOLD TEST` prints (Tests/Fixtures/evalb).
@Suite struct EVALBCommandTests {
    static let directory = ZooCLITests.fixtures.appendingPathComponent("evalb")

    func path(_ name: String) -> String { Self.directory.appendingPathComponent(name).path }

    func contents(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    @Test(arguments: [("random_errors", "COLLINS.prm"), ("unlabeled", "COLLINS_unlabeled.prm"), ("quotes", "quotes.prm"),
                      ("length_and_word_mismatch", "COLLINS.prm")])
    func printsEvalbsOutput(_ name: String, _ params: String) throws {
        let r = try ZooCLITests().run(["evalb", path(name + ".gld"), path(name + ".tst"), "-p", path(params)])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == (try contents(name + ".rsl")))
        #expect(r.stderr == (try contents(name + ".err")))
    }

    @Test func collinsIsTheDefaultAndJSONHasTheSummaries() throws {
        let gold = path("random_clean.gld"), test = path("random_clean.tst")
        let cli = ZooCLITests()
        let r = try cli.run(["evalb", gold, test])
        #expect(r.status == 0)
        let rsl = try contents("random_clean.rsl")
        #expect(r.stdout == rsl)
        let json = try cli.run(["evalb", gold, test, "--json"])
        #expect(json.status == 0)
        #expect(json.stdout.split(separator: "\n").count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let all = try #require(object["all"] as? [String: Any]), cutoff = try #require(object["cutoff"] as? [String: Any])
        #expect(object["cutoff_length"] as? Int == 40)
        func printed(_ label: String) -> [String] {
            rsl.split(separator: "\n").filter { $0.hasPrefix(label) }.map { String($0.split(separator: "=")[1].trimmingCharacters(in: .whitespaces)) }
        }
        for (key, label) in [("recall", "Bracketing Recall"), ("precision", "Bracketing Precision"), ("f1", "Bracketing FMeasure"),
                             ("complete_match", "Complete match"), ("tagging_accuracy", "Tagging accuracy"), ("valid_sentences", "Number of Valid")] {
            let values = [all[key], cutoff[key]].map { ($0 as? NSNumber).map { "\($0)" } ?? "?" }
            #expect(values.map { Double($0) } == printed(label).map { Double($0) }, "\(key)")
        }
    }

    @Test func evalbStoppingIsAnErrorAfterItsOutput() throws {
        let r = try ZooCLITests().run(["evalb", path("max_error_reached.gld"), path("max_error_reached.tst"), "-p", path("COLLINS.prm")])
        #expect(r.status != 0)
        #expect(r.stdout == (try contents("max_error_reached.rsl")))
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.dropLast().joined(separator: "\n") + "\n" == (try contents("max_error_reached.err")))
        #expect(lines.last?.hasPrefix("Error: \(path("max_error_reached.gld")):13 and \(path("max_error_reached.tst")):13: Length unmatch (2|1): evalb stops after 12 errors") == true,
                "\(r.stderr)")
    }

    @Test func badInputGetsOneErrorLineAndNonZeroExit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-evalb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let badParams = dir.appendingPathComponent("bad.prm").path
        try Data("LABELED 1\nDELETE_LABEL TOP\nMAXERROR 3\n".utf8).write(to: URL(fileURLWithPath: badParams))
        let latin1 = dir.appendingPathComponent("latin1.tst").path
        try Data([UInt8]("(S (NN a))\n(S (NN caf".utf8) + [0xE9, 0x29, 0x29, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        let gold = path("perfect.gld"), test = path("perfect.tst")
        let cases: [([String], String)] = [
            (["evalb", "/nonexistent/gold.txt", test], "Error: /nonexistent/gold.txt: cannot read the file (no such file)"),
            (["evalb", gold, "/nonexistent/test.txt"], "Error: /nonexistent/test.txt: cannot read the file (no such file)"),
            (["evalb", gold, test, "-p", "/nonexistent/x.prm"], "Error: /nonexistent/x.prm: cannot read the file (no such file)"),
            (["evalb", gold, test, "-p", badParams], "Error: \(badParams):3:1: unknown key 'MAXERROR'"),
            (["evalb", gold, latin1], "Error: \(latin1):2: not valid UTF-8"),
            (["evalb", gold], "Missing expected argument"),
        ]
        for (arguments, mention) in cases {
            let r = try ZooCLITests().run(arguments, input: "")
            #expect(r.status != 0, "zoo \(arguments.joined(separator: " ")) exited 0")
            let firstLine = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.contains(mention), "zoo \(arguments.joined(separator: " ")): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func helpHasExamples() throws {
        let r = try ZooCLITests().run(["evalb", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Examples:") && r.stdout.contains("zoo evalb gold.txt parsed.txt"))
    }
}
