/// A constituency tree in Penn Treebank style: a node has a label and children; a leaf is a word
/// (a label without children); a preterminal is a node whose only child is a leaf (its label is
/// the word's part-of-speech tag).
///
/// ```
/// (TOP (S (NP (DT The) (NN striatum)) (VP (VBZ plays) (NP (DT a) (NN role))) (. .)))
/// ```
public struct ParseTree: Equatable, Hashable, Sendable {
    public var label: String
    public var children: [ParseTree]

    public init(_ label: String, _ children: [ParseTree] = []) {
        self.label = label
        self.children = children
    }

    /// A word: no children.
    public var isLeaf: Bool { children.isEmpty }
    /// A part-of-speech node: exactly one child, a leaf.
    public var isPreterminal: Bool { children.count == 1 && children[0].isLeaf }

    /// The words, left to right.
    public var words: [String] { preterminals.map { $0.children[0].label } }
    /// The part-of-speech tags, one per word.
    public var tags: [String] { preterminals.map(\.label) }

    /// The preterminal nodes, left to right.
    public var preterminals: [ParseTree] {
        var out: [ParseTree] = []
        func visit(_ t: ParseTree) {
            if t.isPreterminal { out.append(t) } else { t.children.forEach(visit) }
        }
        visit(self)
        return out
    }

    /// The same tree with its preterminals relabelled by `tags`, one a word, left to right.
    public func retagged(_ tags: [String]) -> ParseTree {
        precondition(tags.count == words.count, "retagged: \(tags.count) tags for \(words.count) words")
        var next = 0
        func relabel(_ t: ParseTree) -> ParseTree {
            guard !t.isPreterminal else {
                defer { next += 1 }
                return ParseTree(tags[next], t.children)
            }
            return ParseTree(t.label, t.children.map(relabel))
        }
        return relabel(self)
    }

    /// One line of PTB brackets: `(S (NP (DT The) (NN cat)) (VP (VBD sat)))`.
    public var bracketed: String {
        var out = ""
        func write(_ t: ParseTree) {
            if t.isLeaf {
                out += t.label
                return
            }
            out += "(" + t.label
            for c in t.children {
                out += " "
                write(c)
            }
            out += ")"
        }
        write(self)
        return out
    }

    /// The labelled spans of the constituents above the preterminals, as (label, first word,
    /// end word) with end exclusive, outermost first (the root included).
    public var spans: [(label: String, start: Int, end: Int)] {
        var out: [(String, Int, Int)] = []
        var position = 0
        func visit(_ t: ParseTree) {
            if t.isPreterminal {
                position += 1
                return
            }
            let start = position, index = out.count
            out.append((t.label, start, start))
            t.children.forEach(visit)
            out[index].2 = position
        }
        visit(self)
        return out.map { (label: $0.0, start: $0.1, end: $0.2) }
    }
}
