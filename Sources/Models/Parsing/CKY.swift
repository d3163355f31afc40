/// Exact decoding of a span-factored parser (Stern et al. 2017, Kitaev & Klein 2018): the binary
/// bracketing of n words, each span (i, j) labelled, that maximizes the sum of its spans' scores.
/// `score(i, j)` gives a span's best label and that label's score (the empty label ∅ included:
/// a span labelled ∅ is a bracket the binarization adds and the tree does not keep).
public enum CKY {
    /// A node of the best binary bracketing: a span with its label (0 is ∅) and, unless it is one
    /// word, the two spans it splits into.
    public indirect enum Node: Equatable, Sendable {
        case word(index: Int, label: Int)
        case span(start: Int, end: Int, label: Int, left: Node, right: Node)

        public var start: Int { if case .span(let s, _, _, _, _) = self { return s }; if case .word(let i, _) = self { return i }; return 0 }
        public var end: Int { if case .span(_, let e, _, _, _) = self { return e }; if case .word(let i, _) = self { return i + 1 }; return 0 }
    }

    /// The best bracketing of `n` ≥ 1 words and its total score.
    public static func decode(words n: Int, score: (Int, Int) -> (label: Int, score: Float)) -> (tree: Node, score: Float) {
        precondition(n >= 1, "CKY needs at least one word")
        // best[i][j]: the best total over span (i, j) (j exclusive); split[i][j]: its best split point.
        var best = [[Float]](repeating: [Float](repeating: 0, count: n + 1), count: n + 1)
        var split = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: n + 1)
        var label = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: n + 1)
        for length in 1...n {
            for i in 0...(n - length) {
                let j = i + length
                let (l, s) = score(i, j)
                label[i][j] = l
                if length == 1 {
                    best[i][j] = s
                    continue
                }
                var bestSplit = i + 1, bestValue = -Float.infinity
                for k in (i + 1)..<j {
                    let v = best[i][k] + best[k][j]
                    if v > bestValue { bestValue = v; bestSplit = k }
                }
                best[i][j] = s + bestValue
                split[i][j] = bestSplit
            }
        }
        func build(_ i: Int, _ j: Int) -> Node {
            if j - i == 1 { return .word(index: i, label: label[i][j]) }
            let k = split[i][j]
            return .span(start: i, end: j, label: label[i][j], left: build(i, k), right: build(k, j))
        }
        return (build(0, n), best[0][n])
    }
}
