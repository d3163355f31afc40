import Foundation
import Testing

/// How `zoo` fails (README, "Command line"): exactly one line `Error: …` on stderr; exit status 64
/// when the command line is wrong (the line then says where the options are listed), 1 for any
/// other failure.
@Suite struct ErrorLineCLITests {
    /// `r` failed with `status` and printed nothing but the one line `Error: <line>`.
    static func expectErrorLine(_ r: ZooCLITests.Result, status: Int32, _ line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "status \(r.status), stderr \(r.stderr.debugDescription)", sourceLocation: sourceLocation)
        #expect(r.stderr == "Error: \(line)\n", "\(r.stderr.debugDescription)", sourceLocation: sourceLocation)
    }

    /// `r` failed with `status` and printed one line starting with "Error: " and containing `words`.
    static func expectErrorLine(_ r: ZooCLITests.Result, status: Int32, containing words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "status \(r.status), stderr \(r.stderr.debugDescription)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty && lines[0].hasPrefix("Error: ") && lines[0].contains(words),
                "\(r.stderr.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test func outOfRangeAndNonFiniteValuesGetARangeMessage() throws {
        let cli = ZooCLITests()
        let generate = ["generate", "--model", "gpt-kjv", "--prompt", "In the beginning"]
        // A negative number after an option is its value, not a missing one.
        Self.expectErrorLine(try cli.run(generate + ["--max-tokens", "-1"]), status: 64,
                             "--max-tokens must be at least 1, not -1; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(generate + ["--max-tokens=-1"]), status: 64,
                             "--max-tokens must be at least 1, not -1; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(generate + ["--temperature", "nan"]), status: 64,
                             "--temperature must be a finite number, 0 or more, not nan; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(generate + ["--temperature", "inf"]), status: 64,
                             "--temperature must be a finite number, 0 or more, not inf; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(generate + ["--temperature", "-0.5"]), status: 64,
                             "--temperature must be a finite number, 0 or more, not -0.5; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(generate + ["--top-p", "inf"]), status: 64,
                             "--top-p must be in (0, 1], not inf; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(generate + ["--top-p", "nan"]), status: 64,
                             "--top-p must be in (0, 1], not nan; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(["translate", "--model", "bible-en-es", "--length-penalty", "nan", "x"]), status: 64,
                             "--length-penalty must be a finite number, 0 or more, not nan; see 'zoo translate --help'")
        Self.expectErrorLine(try cli.run(["eval", "--model", "bible-en-es", "--length-penalty", "-inf"]), status: 64,
                             "--length-penalty must be a finite number, 0 or more, not -inf; see 'zoo eval --help'")
        Self.expectErrorLine(try cli.run(["classify", "--model", "vit-fashion-mnist", "--top", "-3", "a.pgm"]), status: 64,
                             "--top must be at least 1, not -3; see 'zoo classify --help'")
    }

    @Test func usageErrorsAreOneLineWithWhereTheOptionsAre() throws {
        let cli = ZooCLITests()
        Self.expectErrorLine(try cli.run(["translate", "--model", "bible-en-es", "--temperature", "2"]), status: 64,
                             "Unknown option '--temperature'; see 'zoo translate --help'")
        Self.expectErrorLine(try cli.run(["generate", "--prompt", "x"]), status: 64,
                             "Missing expected argument '--model <model>'; see 'zoo generate --help'")
        Self.expectErrorLine(try cli.run(["tokenizer", "encode"]), status: 64,
                             "Missing expected argument '--model <model>'; see 'zoo tokenizer encode --help'")
        Self.expectErrorLine(try cli.run(["frobnicate"]), status: 64, "Unexpected argument 'frobnicate'; see 'zoo --help'")
        Self.expectErrorLine(try cli.run(["generate", "--model", "gpt-kjv", "--max-tokens", "many", "--prompt", "x"]), status: 64,
                             containing: "'many'")
    }

    @Test func runFailuresAreOneLineWithStatusOne() throws {
        let cli = ZooCLITests()
        // classify says "Error:" as every other command does, and goes on with the other images.
        Self.expectErrorLine(try cli.run(["classify", "--model", "vit-fashion-mnist", "/nonexistent.pgm"]), status: 1,
                             "/nonexistent.pgm: cannot read the image: no such file")
        Self.expectErrorLine(try cli.run(["generate", "--model", "gpt-kjv", "--prompts-file", "/nonexistent.txt"]), status: 1,
                             "cannot read /nonexistent.txt: no such file")
        Self.expectErrorLine(try cli.run(["tokenizer", "decode", "--model", ZooCLITests.fixtures.appendingPathComponent("spm/unigram_nfkc.model").path,
                                          "--ids"], input: "5 6\n7 -2\n"), status: 1, containing: "stdin:2: '-2' is not an id of this model")
        Self.expectErrorLine(try cli.run(["generate", "--model", "no-such-model", "--prompt", "x"]), status: 1, containing: "no-such-model")
    }

    /// A file where the output folder should be: the reason in words, never Foundation's
    /// "NSCocoaErrorDomain error 512".
    @Test func fileErrorsAreWordsNotFoundationCodes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("images")
        try Data("not a folder".utf8).write(to: file)
        let idx = ZooCLITests.fixtures.appendingPathComponent("idx").path
        let r = try ZooCLITests().run(["data", "fashion-mnist", "--split", "test", "--from", idx, "--out", file.path, "--limit", "2"])
        Self.expectErrorLine(r, status: 1, containing: "cannot write \(file.path)/")
        #expect(r.stderr.hasSuffix(": \(file.path) is a file, not a directory\n") && !r.stderr.contains("Domain"), "\(r.stderr)")
    }
}
