import Foundation
import Layers
import Models
import Recipes
import Tasks
import Testing

/// `AttentionExport`: a model without attention layers has nothing to draw and writes nothing;
/// the files of a map set are those `zoo attention --help` lists.
@Suite struct AttentionExportTests {
    static func maps(layers: Int) -> AttentionMaps {
        let map = { (l: Int) in AttentionMap(layer: l, kind: .selfAttention, heads: 1, queries: 2, keys: 2, weights: [1, 0, 0.5, 0.5]) }
        return AttentionMaps(task: "language-model", model: "tiny", sequences: ["tokens": ["a", "b"]],
                             sides: [.selfAttention: AttentionSides(queries: "tokens", keys: "tokens")], maps: (0..<layers).map { map($0 + 1) })
    }

    @Test func aModelWithoutAttentionLayersIsAnErrorAndWritesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-attention-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: AttentionError("tiny has no attention layers: there are no maps to draw")) {
            try AttentionExport.write(Self.maps(layers: 0), input: "a b", to: dir.appendingPathComponent("out"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let files = try AttentionExport.write(Self.maps(layers: 2), input: "a b", to: dir.appendingPathComponent("out"))
        #expect(files == ["index.html", "attention.json", "layer-1-self.svg", "layer-2-self.svg"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out"])
    }

    /// What a killed `zoo attention` left beside DIR (its staging directory, or the old pages moved
    /// aside) is removed by the next write there once that process is gone; a live one's is kept.
    @Test func leftoversOfAKilledRunAreRemovedByTheNext() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-attention-leftovers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        for name in [".out.partial-\(dead)", ".out.old-\(dead)", ".out.partial-1", ".other.partial-\(dead)"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(name), withIntermediateDirectories: false)
        }
        try AttentionExport.write(Self.maps(layers: 1), input: "a b", to: dir.appendingPathComponent("out"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [".other.partial-\(dead)", ".out.partial-1", "out"])
    }

    /// Tokens are data, never markup: a token "</script>" neither ends the page's data nor shows
    /// up as a tag, and the data still reads back as the tokens.
    @Test func tokensThatLookLikeMarkupStayText() throws {
        var maps = Self.maps(layers: 1)
        maps.sequences["tokens"] = ["</script><b>", "<!--"]
        let page = AttentionPage.render(AttentionDocument(maps, input: "x"))
        #expect(page.components(separatedBy: "</script>").count == 4, "three scripts, each closed once")
        #expect(!page.contains("<b>") && !page.contains("<!--"))
        let start = try #require(page.range(of: "id=\"attention-data\">")).upperBound
        let end = try #require(page[start...].range(of: "</script>")).lowerBound
        let json = try JSONSerialization.jsonObject(with: Data(page[start..<end].utf8)) as? [String: Any]
        #expect((json?["tokens"] as? [String: [String]])?["tokens"] == ["</script><b>", "<!--"])
    }
}
