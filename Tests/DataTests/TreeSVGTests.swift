import Foundation
import Testing
import Data
#if canImport(FoundationXML)
import FoundationXML  // XMLParser lives here on Linux
#endif

/// The SVG drawing of a tree, read back with XMLParser: well-formed XML, one <text> per node, one
/// <line> per edge, words left to right along the bottom, parents centred over their children.
@Suite struct TreeSVGTests {
    /// What XMLParser saw: the root element, every <text> (its class, x, y and content) and the
    /// number of <line>s.
    final class Reader: NSObject, XMLParserDelegate {
        struct Text { var kind: String; var x: Double; var y: Double; var content = "" }
        var root: String?
        var texts: [Text] = []
        var lines = 0
        var inText = false

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if root == nil { root = name }
            if name == "line" { lines += 1 }
            if name == "text" {
                texts.append(Text(kind: attributes["class"] ?? "", x: Double(attributes["x"] ?? "") ?? .nan, y: Double(attributes["y"] ?? "") ?? .nan))
                inText = true
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { inText = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { texts[texts.count - 1].content += string }
        }
    }

    func read(_ svg: String) throws -> Reader {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = Reader()
        parser.delegate = reader
        let ok = parser.parse()
        try #require(ok, "not well-formed XML: \(String(describing: parser.parserError))\n\(svg)")
        return reader
    }

    func nodeCount(_ t: ParseTree) -> Int { 1 + t.children.map(nodeCount).reduce(0, +) }

    func check(_ tree: ParseTree) throws {
        let r = try read(tree.svg)
        #expect(r.root == "svg")
        #expect(r.texts.count == nodeCount(tree))
        #expect(r.lines == nodeCount(tree) - 1)
        // Depth-first order: the labels and words as the tree has them, escapes undone; each
        // parent centred over its first and last child.
        var labels: [String] = [], leaves: [String] = []
        func visit(_ t: ParseTree) -> Int {
            let index = labels.count
            labels.append(t.label)
            if t.isLeaf { leaves.append(t.label) }
            let children = t.children.map(visit)
            if let first = children.first, let last = children.last, index < r.texts.count, last < r.texts.count {
                #expect(abs(r.texts[index].x - (r.texts[first].x + r.texts[last].x) / 2) <= 0.1, "\(t.label) not centred")
                #expect(r.texts[index].y < r.texts[first].y, "\(t.label) not above its children")
            }
            return index
        }
        _ = visit(tree)
        #expect(r.texts.map(\.content) == labels)
        let words = r.texts.filter { $0.kind == "word" }
        #expect(words.map(\.content) == leaves)
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.x < $1.x }, "words not left to right")
        #expect(Set(words.map(\.y)).count == 1, "words not on one row")
        #expect(r.texts.filter { $0.kind == "label" }.allSatisfy { $0.y < words[0].y }, "a label below the words")
    }

    @Test func drawsASmallTree() throws {
        let tree = try Treebank.parse("(TOP (S (NP (DT The) (NN cat)) (VP (VBD sat)) (. .)))")[0]
        try check(tree)
        // Evenly spaced words; TOP straight above S, which is centred over NP and the period.
        let r = try read(tree.svg)
        let x = r.texts.filter { $0.kind == "word" }.map(\.x)
        #expect(Set(zip(x, x.dropFirst()).map { $1 - $0 }).count == 1)
        #expect(r.texts[0].x == r.texts[1].x && r.texts[1].x == (r.texts[2].x + x[3]) / 2)
        #expect(tree.svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    @Test func escapesWhatXMLReserves() throws {
        let tree = ParseTree("TOP", [ParseTree("NP", [
            ParseTree("SYM", [ParseTree("<&>")]), ParseTree("NNP", [ParseTree("AT&T")]),
            ParseTree("``", [ParseTree("\"q'")]), ParseTree("-LRB-", [ParseTree("-LRB-")]), ParseTree("PRP$", [ParseTree("its")]),
            ParseTree("NN", [ParseTree("β-catenin")]),
        ])])
        try check(tree)
        #expect(!tree.svg.contains("<&>") && tree.svg.contains("&lt;&amp;&gt;"))
        // A control character XML cannot hold becomes U+FFFD instead of breaking the file.
        let control = ParseTree("NN", [ParseTree("a\u{1}b")])
        #expect(try read(control.svg).texts.map(\.content) == ["NN", "a\u{FFFD}b"])
    }

    @Test func aLoneWordAndAPreterminal() throws {
        try check(ParseTree("x"))
        try check(ParseTree("NN", [ParseTree("x")]))
    }

    @Test func drawsEveryTreeOfACRAFTArticle() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/craft-sample/penn/17608565.tree")
        let trees = try Treebank.read(path: sample.path).compactMap(Treebank.normalized)
        #expect(trees.count == 25)
        for tree in trees { try check(tree) }
    }
}
