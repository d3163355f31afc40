/// A parse tree drawn as a standalone SVG file, to look at a parser's output (or a treebank's
/// tree) in any browser: the classic layout, with the words evenly spaced along the bottom in
/// order, each constituent's label centred over its children a row above them, and a line from
/// every node to each of its children. No fonts are measured: the column width is estimated from
/// the longest word or tag, so the drawing is the same on every machine.
public struct TreeSVG: Sendable {
    public var fontSize: Double = 14
    /// Vertical distance between rows of labels.
    public var rowHeight: Double = 44
    public var margin: Double = 16

    public init(fontSize: Double = 14, rowHeight: Double = 44, margin: Double = 16) {
        self.fontSize = fontSize
        self.rowHeight = rowHeight
        self.margin = margin
    }

    /// A node placed: its label, centre, and whether it is a word (a leaf).
    struct Placed {
        var label: String
        var x: Double
        var y: Double
        var isWord: Bool
    }

    /// The SVG document for `tree`.
    public func render(_ tree: ParseTree) -> String {
        let (nodes, edges, width, height) = layout(tree)
        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(number(width))" height="\(number(height))" \
        viewBox="0 0 \(number(width)) \(number(height))" font-family="sans-serif" font-size="\(number(fontSize))">
        <rect width="100%" height="100%" fill="white"/>
        <g stroke="gray" stroke-width="1">

        """
        for (parent, child) in edges {
            let p = nodes[parent], c = nodes[child]
            out += "<line x1=\"\(number(p.x))\" y1=\"\(number(p.y + fontSize * 0.35))\" x2=\"\(number(c.x))\" y2=\"\(number(c.y - fontSize * 1.05))\"/>\n"
        }
        out += "</g>\n<g text-anchor=\"middle\">\n"
        for n in nodes {
            let style = n.isWord ? "class=\"word\" fill=\"navy\"" : "class=\"label\" font-weight=\"bold\""
            out += "<text x=\"\(number(n.x))\" y=\"\(number(n.y))\" \(style)>\(Self.escaped(n.label))</text>\n"
        }
        out += "</g>\n</svg>\n"
        return out
    }

    /// Every node in depth-first order with its place, the parent–child edges (indices into the
    /// nodes), and the drawing's size. Words take evenly spaced columns on the bottom row; an inner
    /// node sits on the row of its depth, centred between its first and last child.
    func layout(_ tree: ParseTree) -> (nodes: [Placed], edges: [(Int, Int)], width: Double, height: Double) {
        var widest = 1
        var innerDepth = 0  // the deepest row of labels
        func measure(_ t: ParseTree, depth: Int) {
            widest = max(widest, t.label.count)
            if !t.isLeaf {
                innerDepth = max(innerDepth, depth)
                t.children.forEach { measure($0, depth: depth + 1) }
            }
        }
        measure(tree, depth: 0)
        let column = max(3 * fontSize, Double(widest) * fontSize * 0.62 + fontSize).rounded(.up)  // whole: even spacing to the digit
        let wordRow = tree.isLeaf ? 0 : innerDepth + 1
        func y(_ row: Int) -> Double { margin + fontSize + Double(row) * rowHeight }

        var nodes: [Placed] = [], edges: [(Int, Int)] = []
        var words = 0
        @discardableResult
        func place(_ t: ParseTree, depth: Int) -> Int {
            let index = nodes.count
            nodes.append(Placed(label: t.label, x: 0, y: 0, isWord: t.isLeaf))
            if t.isLeaf {
                nodes[index].x = margin + (Double(words) + 0.5) * column
                nodes[index].y = y(wordRow)
                words += 1
            } else {
                let children = t.children.map { place($0, depth: depth + 1) }
                children.forEach { edges.append((index, $0)) }
                nodes[index].x = (nodes[children.first!].x + nodes[children.last!].x) / 2
                nodes[index].y = y(depth)
            }
            return index
        }
        place(tree, depth: 0)
        return (nodes, edges, 2 * margin + Double(words) * column, y(wordRow) + margin)
    }

    /// XML text (`XMLText.escaped`).
    static func escaped(_ s: String) -> String { XMLText.escaped(s) }

    /// A coordinate with at most one decimal, no trailing `.0`.
    func number(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

extension ParseTree {
    /// The tree as a standalone SVG document (`TreeSVG` with its default sizes).
    public var svg: String { TreeSVG().render(self) }
}
