import Foundation
import Testing
@testable import Data

/// The CRAFT treebank reader on the committed sample (Tests/Fixtures/craft-sample: real CRAFT trees
/// and the normalized trees make_craft_sample.py computed on its own), in both layouts, and the
/// one-line errors of incomplete releases.
@Suite struct CRAFTTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/craft-sample")

    /// The Python script's normalized trees of `split`, one a line.
    func expected(_ split: String) throws -> [String] {
        try String(contentsOf: Self.sample.appendingPathComponent("expected/\(split).txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    /// A copy of the sample in the release's layout (or the copy's), with `edit` applied.
    func copy(releaseLayout: Bool, _ edit: (URL) throws -> Void = { _ in }) throws -> URL {
        let fm = FileManager.default
        let dir = try scratchDirectory("craft")
        let penn = dir.appendingPathComponent(releaseLayout ? "structural-annotation/treebank/penn" : "penn")
        let ids = releaseLayout ? dir.appendingPathComponent("articles/ids") : dir
        try fm.createDirectory(at: penn.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.createDirectory(at: ids, withIntermediateDirectories: true)
        try fm.copyItem(at: Self.sample.appendingPathComponent("penn"), to: penn)
        for split in CRAFT.splitNames {
            try fm.copyItem(at: Self.sample.appendingPathComponent("craft-ids-\(split).txt"), to: ids.appendingPathComponent("craft-ids-\(split).txt"))
        }
        try edit(dir)
        return dir
    }

    func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func readsTheSampleAsTheScriptNormalizedIt() throws {
        let craft = try CRAFT(directory: Self.sample.path)
        #expect(craft.train.articles == ["11597317", "14723793"])
        #expect(craft.dev.articles == ["17608565"])
        #expect(craft.test.articles == ["11319941"])
        #expect(craft.splits.map(\.trees.count) == [120, 25, 50])
        #expect(craft.splits.map(\.dropped) == [0, 0, 0])
        for split in craft.splits {
            let want = try expected(split.name)
            #expect(split.trees.count == want.count)
            for (tree, line) in zip(split.trees, want) { #expect(tree.bracketed == line) }
        }
        // The first training tree, and a test tree whose words hold no-break spaces.
        #expect(craft.train.trees[0].bracketed == "(TOP (TITLE (NP (NP (NN BRCA2)) (CC and) (NP (JJ homologous) (NN recombination)))))")
        #expect(craft.test.trees.contains { $0.words.contains { $0.contains("\u{00A0}") } })
    }

    @Test func readsTheReleaseLayoutTheSame() throws {
        let copy = try CRAFT(directory: try copy(releaseLayout: true).path)
        let sample = try CRAFT(directory: Self.sample.path)
        for (a, b) in zip(copy.splits, sample.splits) {
            #expect(a.articles == b.articles && a.trees == b.trees)
        }
    }

    @Test func writesOneTreeALineAsTheScriptDid() throws {
        let out = try scratchDirectory("craft-out").appendingPathComponent("data/craft")
        try CRAFT(directory: Self.sample.path).write(to: out.path)
        for split in CRAFT.splitNames {
            let written = try Data(contentsOf: out.appendingPathComponent("\(split).txt"))
            #expect(written == (try Data(contentsOf: Self.sample.appendingPathComponent("expected/\(split).txt"))), "\(split)")
        }
    }

    /// Articles come in PubMed id order whatever the id file's order; blank lines and comments are skipped.
    @Test func articlesAreInIdOrder() throws {
        let dir = try copy(releaseLayout: false) { dir in
            try self.write("# reversed\n14723793\n\n  11597317 \r\n", dir.appendingPathComponent("craft-ids-train.txt"))
        }
        let craft = try CRAFT(directory: dir.path)
        #expect(craft.train.articles == ["11597317", "14723793"])
        #expect(craft.train.trees.map(\.bracketed) == (try expected("train")))
    }

    @Test func sentencesLeftEmptyAreDroppedAndCounted() throws {
        let dir = try copy(releaseLayout: false) { dir in
            try self.write("( (S (NP-SBJ (-NONE- *PRO*)) (VP (VBD ran))) )\n( (S (NP (-NONE- *T*))) )\n( (FRAG (-NONE- *)) )\n",
                           dir.appendingPathComponent("penn/17608565.tree"))
        }
        let craft = try CRAFT(directory: dir.path)
        #expect(craft.dev.trees.map(\.bracketed) == ["(TOP (S (VP (VBD ran))))"])
        #expect(craft.dev.dropped == 2)
        #expect(craft.train.dropped == 0 && craft.test.dropped == 0)
    }

    @Test func missingPiecesAreOneLineErrors() throws {
        #expect(errorMessage { try CRAFT(directory: "/nonexistent/craft") } == "/nonexistent/craft: no such directory")
        let file = Self.sample.appendingPathComponent("README.md").path
        #expect(errorMessage { try CRAFT(directory: file) } == "\(file): not a directory (give the CRAFT release's directory)")

        let empty = try scratchDirectory("craft-empty")
        #expect(errorMessage { try CRAFT(directory: empty.path) }
            == "\(empty.path): not a CRAFT treebank: no penn/ or structural-annotation/treebank/penn/ folder of PMID.tree files")

        let noDev = try copy(releaseLayout: true) { try FileManager.default.removeItem(at: $0.appendingPathComponent("articles/ids/craft-ids-dev.txt")) }
        #expect(errorMessage { try CRAFT(directory: noDev.path) }
            == "\(noDev.path): not a CRAFT treebank: no craft-ids-dev.txt (looked in \(noDev.path) and \(noDev.path)/articles/ids)")

        let noTree = try copy(releaseLayout: false) { try FileManager.default.removeItem(at: $0.appendingPathComponent("penn/11319941.tree")) }
        #expect(errorMessage { try CRAFT(directory: noTree.path) }
            == "\(noTree.path)/craft-ids-test.txt:1: article 11319941 has no tree file \(noTree.path)/penn/11319941.tree")
    }

    @Test func badIdFilesAndTreeFilesNameTheFileAndLine() throws {
        let badId = try copy(releaseLayout: false) { try self.write("11597317\nPMC48141\n", $0.appendingPathComponent("craft-ids-train.txt")) }
        #expect(errorMessage { try CRAFT(directory: badId.path) } == "\(badId.path)/craft-ids-train.txt:2: 'PMC48141' is not a PubMed id")

        let noIds = try copy(releaseLayout: false) { try self.write("\n# none\n", $0.appendingPathComponent("craft-ids-dev.txt")) }
        #expect(errorMessage { try CRAFT(directory: noIds.path) } == "\(noIds.path)/craft-ids-dev.txt: lists no articles")

        let twice = try copy(releaseLayout: false) { try self.write("17608565\n11319941\n", $0.appendingPathComponent("craft-ids-test.txt")) }
        #expect(errorMessage { try CRAFT(directory: twice.path) } == "\(twice.path)/craft-ids-test.txt:1: article 17608565 is already in the dev split")

        let broken = try copy(releaseLayout: false) { dir in
            try self.write("( (S (NP (NN x)) )\n( (S (NN y)) )\n", dir.appendingPathComponent("penn/14723793.tree"))
        }
        #expect(errorMessage { try CRAFT(directory: broken.path) }
            == "\(broken.path)/penn/14723793.tree:2: a bracket without a label")
    }
}
