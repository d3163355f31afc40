import Foundation
import Testing

/// Every shipped entry names the recipe that trained it, and its card (an int8 entry's nested
/// fp32 card too) holds that recipe exactly as committed: `zoo run` on the file is the run that
/// made the model, down to its comments.
@Suite struct ShippedRecipeTests {
    static let zoo = ZooCLITests.root.appendingPathComponent("Zoo")

    /// The card's `trained by \`zoo run Recipes/X.yaml\`` and the YAML blocks under a Recipe heading.
    static func recipes(in card: String) -> (file: String?, blocks: [String]) {
        let file = card.components(separatedBy: "trained by `zoo run ").dropFirst().first?.components(separatedBy: "`").first
        var blocks: [String] = [], block: [Substring]?, underRecipe = false
        for line in card.split(separator: "\n", omittingEmptySubsequences: false) {
            if var open = block {
                if line == "```" { blocks.append(open.joined(separator: "\n") + "\n"); block = nil } else { open.append(line); block = open }
            } else if line.hasPrefix("#") {
                underRecipe = line.drop { $0 == "#" } == " Recipe"
            } else if underRecipe && line == "```yaml" {
                block = []
            }
        }
        return (file, blocks)
    }

    @Test func everyCardHoldsItsCommittedRecipe() throws {
        let entries = try FileManager.default.contentsOfDirectory(atPath: Self.zoo.path).filter { !$0.hasPrefix(".") && $0 != "index.json" }.sorted()
        try #require(entries.count >= 4, "\(entries)")
        for entry in entries {
            let card = try String(contentsOf: Self.zoo.appendingPathComponent("\(entry)/card.md"), encoding: .utf8)
            let (file, blocks) = Self.recipes(in: card)
            let path = try #require(file, "\(entry): the card names no recipe")
            let committed = try String(contentsOf: ZooCLITests.root.appendingPathComponent(path), encoding: .utf8)
            #expect(blocks.count == 1, "\(entry): \(blocks.count) recipe blocks")
            guard let block = blocks.first, block != committed else { continue }
            let (a, b) = (block.split(separator: "\n", omittingEmptySubsequences: false), committed.split(separator: "\n", omittingEmptySubsequences: false))
            let line = zip(a, b).prefix { $0 == $1 }.count
            let (theirs, ours) = (line < a.count ? String(a[line]) : "(end)", line < b.count ? String(b[line]) : "(end)")
            Issue.record("\(entry): the card's recipe is not \(path) as committed; its line \(line + 1) is '\(theirs)', not '\(ours)'")
        }
    }

    @Test func recipeBlocksAreFoundUnderTheirHeadingOnly() {
        let card = "trained by `zoo run Recipes/a.yaml`.\n\n## Use\n\n```yaml\nnot: this\n```\n\n### Recipe\n\n```yaml\n# comment\nname: a\n```\n"
        let (file, blocks) = Self.recipes(in: card)
        #expect(file == "Recipes/a.yaml" && blocks == ["# comment\nname: a\n"])
    }
}
