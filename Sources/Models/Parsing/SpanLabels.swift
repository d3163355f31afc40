import Data

/// What a chart parser learns from a tree: its constituents as labelled spans over the words,
/// unary chains collapsed into one label (outermost first, joined by `::`), preterminals and the
/// `TOP` root left out (the tagging head predicts the former; every tree has the latter).
public enum SpanLabels {
    /// A constituent: words `start..<end` under `label`.
    public struct Span: Equatable, Hashable, Sendable {
        public var start: Int
        /// Exclusive.
        public var end: Int
        public var label: String
        public init(start: Int, end: Int, label: String) {
            self.start = start
            self.end = end
            self.label = label
        }
    }

    /// The spans of `tree` (a normalized tree with a `TOP` root, or any tree, whose root is then kept).
    public static func spans(of tree: ParseTree) -> [Span] {
        var out: [Span] = []
        func visit(_ node: ParseTree, _ position: Int) -> Int {
            if node.isPreterminal || node.isLeaf { return position + 1 }
            var labels = [node.label], bottom = node
            while bottom.children.count == 1, !bottom.children[0].isPreterminal, !bottom.children[0].isLeaf {
                bottom = bottom.children[0]
                labels.append(bottom.label)
            }
            var end = position
            for child in bottom.children { end = visit(child, end) }
            out.append(Span(start: position, end: end, label: labels.joined(separator: ChartParserConfig.chainSeparator)))
            return end
        }
        if tree.label == "TOP" {
            var position = 0
            for child in tree.children { position = visit(child, position) }
        } else {
            _ = visit(tree, 0)
        }
        return out
    }

    /// Labelled brackets of `tree` for a quick F1 (each constituent above the preterminals, chains
    /// unfolded, `TOP` excluded): (label, start, end), with repeats counted.
    public static func brackets(of tree: ParseTree) -> [String: Int] {
        var counts: [String: Int] = [:]
        for s in tree.spans where s.label != "TOP" { counts["\(s.label) \(s.start) \(s.end)", default: 0] += 1 }
        return counts
    }
}
