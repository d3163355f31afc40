import Foundation
import Testing

/// `zoo data wsj` on the hand-written WSJ sample (Tests/Fixtures/wsj-sample): the files it writes,
/// the progress and summary on stderr, and the one-line errors of a copy missing sections.
@Suite struct DataWSJCLITests {
    static let sample = ZooCLITests.fixtures.appendingPathComponent("wsj-sample")

    @Test func writesTheNormalizedSplitsAndASummary() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-wsj-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try ZooCLITests().run(["data", "wsj", "--from", Self.sample.path, "--out", out.path, "--partial"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.dropLast() == ["wsj: reading section 02 (train)…", "wsj: reading section 21 (train)…",
                                     "wsj: reading section 22 (dev)…", "wsj: reading section 23 (test)…"], "\(r.stderr)")
        #expect(lines.last == "wsj: 8 train (sections 02, 21, 4 files), 2 dev (section 22, 1 file), 4 test (section 23, 2 files) trees; "
                + "0 sentences dropped (nothing left without -NONE- elements); wrote \(out.path)/{train,dev,test}.txt", "\(r.stderr)")
        for split in ["train", "dev", "test"] {
            let written = try Data(contentsOf: out.appendingPathComponent("\(split).txt"))
            #expect(written == (try Data(contentsOf: Self.sample.appendingPathComponent("expected/\(split).txt"))), "\(split)")
        }
        // The release's parsed/mrg/wsj folder writes the same files.
        let again = out.appendingPathComponent("again")
        let s = try ZooCLITests().run(["data", "wsj", "--from", Self.sample.appendingPathComponent("parsed/mrg/wsj").path, "--out", again.path, "--partial"])
        #expect(s.status == 0, "\(s.stderr)")
        for split in ["train", "dev", "test"] {
            #expect(try Data(contentsOf: again.appendingPathComponent("\(split).txt")) == (try Data(contentsOf: out.appendingPathComponent("\(split).txt"))))
        }
    }

    @Test func helpHasAnExampleAndErrorsAreOneLine() throws {
        let cli = ZooCLITests()
        let help = try cli.run(["data", "wsj", "--help"])
        #expect(help.status == 0 && help.stdout.contains("Example:") && help.stdout.contains("zoo data wsj --from"), "\(help.stdout)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-wsj-never-\(UUID().uuidString)")
        // Without --partial every section of 02–23 must be there; the sample has 02 and 21 of training.
        let strict = try cli.run(["data", "wsj", "--from", Self.sample.path, "--out", out.path])
        #expect(strict.status != 0 && !FileManager.default.fileExists(atPath: out.path))
        #expect(strict.stderr == "Error: \(Self.sample.path)/parsed/mrg/wsj/03: section 03 is missing (the standard split needs every section of 02–23)\n",
                "\(strict.stderr)")
        let missing = try cli.run(["data", "wsj", "--from", "/nonexistent/treebank_3", "--out", out.path])
        #expect(missing.status != 0)
        #expect(missing.stderr == "Error: /nonexistent/treebank_3: no such directory\n", "\(missing.stderr)")
    }
}
