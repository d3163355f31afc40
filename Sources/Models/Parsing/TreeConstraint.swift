/// Constrained decoding of linearized trees (the sequence-to-sequence parser's output, Vinyals et
/// al. 2015): every hypothesis beam search can finish is a well-formed tree over exactly the input
/// words: brackets balance and close the label they opened, no constituent is empty, and there is
/// one preterminal token per word. A token is allowed only if the tree can still be completed in
/// the tokens left, so the search never runs into a dead end.
public struct TreeConstraint: DecodingConstraint {
    enum Kind: Sendable { case open(Int), close(Int), preterminal, end, other }

    /// What each target id is; label indices are shared by opening and closing brackets.
    let kinds: [Kind]
    let openIds: [Int32]
    /// The closing bracket of each label index.
    let closeIds: [Int32?]
    let preterminalIds: [Int32]
    let end: Int32
    /// Words of each source sentence.
    public var wordCounts: [Int]

    /// `vocabulary[id]` is each target token (`(NP`, `)NP`, a preterminal: `XX` or a tag; anything
    /// else is never produced); `end` is the end-of-sentence id.
    public init(vocabulary: [String], end: Int32, wordCounts: [Int]) {
        var labels: [String: Int] = [:]
        func index(_ label: String) -> Int {
            if let i = labels[label] { return i }
            labels[label] = labels.count
            return labels.count - 1
        }
        var kinds: [Kind] = []
        for (id, token) in vocabulary.enumerated() {
            if Int32(id) == end { kinds.append(.end) }
            else if token.count > 1 && token.hasPrefix("(") { kinds.append(.open(index(String(token.dropFirst())))) }
            else if token.count > 1 && token.hasPrefix(")") { kinds.append(.close(index(String(token.dropFirst())))) }
            else if !token.isEmpty && !token.hasPrefix("<") { kinds.append(.preterminal) }
            else { kinds.append(.other) }
        }
        var closeIds = [Int32?](repeating: nil, count: labels.count)
        var openIds: [Int32] = [], preterminalIds: [Int32] = []
        for (id, kind) in kinds.enumerated() {
            switch kind {
            case .open: openIds.append(Int32(id))
            case .close(let l): closeIds[l] = Int32(id)
            case .preterminal: preterminalIds.append(Int32(id))
            default: break
            }
        }
        // An opening bracket whose label has no closing bracket could never be closed.
        self.openIds = openIds.filter { if case .open(let l) = kinds[Int($0)] { return closeIds[l] != nil }; return false }
        self.kinds = kinds
        self.closeIds = closeIds
        self.preterminalIds = preterminalIds
        self.end = end
        self.wordCounts = wordCounts
    }

    public func allowed(sentence: Int, prefix: [Int32], remaining: Int) -> [Int32] {
        let n = wordCounts[sentence]
        // Replay the prefix: the open constituents (label, children so far), words used, top-level constituents.
        var stack: [(label: Int, children: Int)] = []
        var words = 0, closed = 0
        for token in prefix {
            switch kinds[Int(token)] {
            case .open(let l): stack.append((l, 0))
            case .close:
                _ = stack.popLast()
                if stack.isEmpty { closed += 1 } else { stack[stack.count - 1].children += 1 }
            case .preterminal:
                words += 1
                if !stack.isEmpty { stack[stack.count - 1].children += 1 }
            case .end, .other: break
            }
        }
        let depth = stack.count
        // The fewest tokens that finish a tree from w words and d open brackets, the end included:
        // one per word left and per open bracket, and at the top level with words left a new
        // constituent's two brackets. A token is allowed when the rest still fits after it.
        func fits(words w: Int, depth d: Int) -> Bool {
            let need = d == 0 ? (w == n ? 1 : n - w + 3) : (n - w) + d + 1
            return need <= remaining - 1
        }
        var out: [Int32] = []
        if words < n && fits(words: words, depth: depth + 1) { out += openIds }
        if depth > 0 && words < n && fits(words: words + 1, depth: depth) { out += preterminalIds }
        if let top = stack.last, top.children > 0, let close = closeIds[top.label], fits(words: words, depth: depth - 1) {
            out.append(close)
        }
        if depth == 0 && words == n && closed > 0 { out.append(end) }
        return out.isEmpty ? [end] : out
    }
}
