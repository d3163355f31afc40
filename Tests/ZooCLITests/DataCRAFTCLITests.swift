import Foundation
import Testing

/// `zoo data craft` on the CRAFT sample (Tests/Fixtures/craft-sample): the files it writes, the
/// summary on stderr, its help, and a one-line error for a directory that is no treebank.
@Suite struct DataCRAFTCLITests {
    @Test func writesTheNormalizedSplitsAndASummary() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-craft-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let sample = ZooCLITests.fixtures.appendingPathComponent("craft-sample")
        let r = try ZooCLITests().run(["data", "craft", "--from", sample.path, "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("craft: 120 train (2 articles), 25 dev (1 article), 50 test (1 article) trees; 0 sentences dropped"), "\(r.stderr)")
        for split in ["train", "dev", "test"] {
            let written = try Data(contentsOf: out.appendingPathComponent("\(split).txt"))
            #expect(written == (try Data(contentsOf: sample.appendingPathComponent("expected/\(split).txt"))), "\(split)")
        }
    }

    @Test func helpHasExamplesAndErrorsAreOneLine() throws {
        let cli = ZooCLITests()
        let help = try cli.run(["data", "craft", "--help"])
        #expect(help.status == 0 && help.stdout.contains("Example:") && help.stdout.contains("zoo data craft --from"), "\(help.stdout)")
        let missing = try cli.run(["data", "craft", "--from", "/nonexistent/craft", "--out", "/tmp/never"])
        #expect(missing.status != 0)
        #expect(missing.stderr == "Error: /nonexistent/craft: no such directory\n", "\(missing.stderr)")
    }
}
