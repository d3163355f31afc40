import Foundation
import Testing

/// `zoo eval --check SPLIT`: a model reproduces its card's figures for the split, or the command
/// fails in one line naming what differs.
@Suite struct CardCheckCLITests {
    let cli = ZooCLITests()

    @Test func evalChecksTheFiguresOfTheCard() throws {
        let dir = try ProtectedOutputCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Validation on the whole held-out file, as `zoo eval` measures it.
        let recipe = try String(contentsOf: dir.appendingPathComponent("tiny.yaml"), encoding: .utf8)
        try Data(recipe.replacingOccurrences(of: "batches: 1}", with: "batches: 0}").utf8).write(to: dir.appendingPathComponent("tiny.yaml"))
        let environment: [String: String?] = ["ZOO_DIR": nil, "COLUMNS": "1000"]
        let trained = try cli.run(["run", "tiny.yaml"], in: dir, environment: environment)
        #expect(trained.status == 0, "\(trained.stderr)")

        let good = try cli.run(["eval", "--model", "tiny", "--data", "valid.txt", "--check", "val"], in: dir, environment: environment)
        #expect(good.status == 0, "\(good.stderr)")
        let line = try #require(good.stdout.split(separator: "\n").last)
        #expect(line.hasPrefix("reproduces its card: loss ") && line.contains(" = val_loss ") && line.contains(" = val_ppl "), "\(good.stdout)")

        // A card whose perplexity is off by more than its rounding.
        let configURL = dir.appendingPathComponent("Zoo/tiny/config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        var metrics = try #require(config["metrics"] as? [String: Double])
        let ppl = try #require(metrics["val_ppl"])
        metrics["val_ppl"] = ppl + 0.02
        config["metrics"] = metrics
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        let bad = try cli.run(["eval", "--model", "tiny", "--data", "valid.txt", "--check", "val"], in: dir, environment: environment)
        #expect(bad.status == 1)
        // After the progress lines, one error line.
        let errors = bad.stderr.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        #expect(errors.count == 1 && bad.stderr.hasSuffix(errors[0] + "\n"), "\(bad.stderr)")
        #expect(errors.first?.hasPrefix("Error: Zoo/tiny does not reproduce its card: loss ") == true && bad.stderr.contains(" ≠ val_ppl "), "\(bad.stderr)")

        // A split the card has no figure for, and a word that is no split.
        let none = try cli.run(["eval", "--model", "tiny", "--data", "valid.txt", "--check", "test"], in: dir, environment: environment)
        #expect(none.status == 1 && none.stderr.contains("its card reports no test_ figure"), "\(none.stderr)")
        let wrong = try cli.run(["eval", "--model", "tiny", "--data", "valid.txt", "--check", "train"], in: dir, environment: environment)
        #expect(wrong.status == 64 && wrong.stderr.contains("--check takes the split the card reports"), "\(wrong.stderr)")
    }
}
