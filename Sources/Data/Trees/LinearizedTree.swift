/// A linearized tree that does not make a tree, with the token where it goes wrong: a
/// sequence-to-sequence parser's output can be any sequence, and the caller needs to know which
/// to reject and why.
public struct LinearizedTreeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// 1-based position in the sequence; nil when the problem is the whole sequence's.
    public var token: Int?
    public var message: String

    public init(token: Int? = nil, message: String) {
        self.token = token
        self.message = message
    }

    public var description: String { "linearized tree\(token.map { ", token \($0)" } ?? ""): \(message)" }
}

/// The tree as a token sequence for a sequence-to-sequence parser (Vinyals et al. 2015, "Grammar
/// as a Foreign Language"): depth first, each constituent opened by `(LABEL` and closed by
/// `)LABEL`, each word's preterminal one token, `XX` (the words are not in the sequence: the
/// parser reads them on the encoder side):
///
/// ```
/// (TOP (S (NP (DT The) (NN cat)) (VP (VBD sat)) (. .)))  →  (S (NP XX XX )NP (VP XX )VP XX )S
/// ```
///
/// The `TOP` root is left out (every tree has it); labelled closing brackets let the decoder and
/// the rebuilding check each other.
extension ParseTree {
    /// The tokens of the tree (of the `TOP` root's children when the root is `TOP`), the
    /// preterminals as `XX` or, when `tags` is true, as their part-of-speech tags (then no tag may
    /// start with a bracket; the treebanks' `-LRB-` does not).
    public func linearized(tags: Bool) -> [String] {
        var out: [String] = []
        func emit(_ t: ParseTree) {
            if t.isLeaf || t.isPreterminal {
                out.append(tags && !t.isLeaf ? t.label : "XX")
                return
            }
            out.append("(" + t.label)
            t.children.forEach(emit)
            out.append(")" + t.label)
        }
        if label == "TOP" { children.forEach(emit) } else { emit(self) }
        return out
    }

    /// The tree a linearized sequence describes, with `words` under its preterminals in order,
    /// wrapped in `TOP`. A preterminal token is the word's tag (`XX` when the sequence has no tags).
    /// Throws `LinearizedTreeError` for a sequence that is no tree: unbalanced or mismatched
    /// brackets, an empty constituent, or not one preterminal per word.
    public init(linearized tokens: [String], words: [String]) throws {
        if tokens.isEmpty { throw LinearizedTreeError(message: "an empty sequence") }
        // The open constituents, innermost last: label, the token that opened it, children so far.
        var stack: [(label: String, token: Int, children: [ParseTree])] = [("TOP", 0, [])]
        var word = 0
        for (i, token) in tokens.enumerated() {
            let position = i + 1
            if token.isEmpty { throw LinearizedTreeError(token: position, message: "an empty token") }
            if token.hasPrefix("(") {
                let label = String(token.dropFirst())
                if label.isEmpty { throw LinearizedTreeError(token: position, message: "'(' without a label") }
                stack.append((label, position, []))
            } else if token.hasPrefix(")") {
                let label = String(token.dropFirst())
                guard stack.count > 1, let open = stack.last else {
                    throw LinearizedTreeError(token: position, message: "'\(token)' closes nothing (unbalanced brackets)")
                }
                guard label == open.label else {
                    throw LinearizedTreeError(token: position, message: "'\(token)' closes '(\(open.label)' of token \(open.token)")
                }
                if open.children.isEmpty {
                    throw LinearizedTreeError(token: position, message: "'(\(open.label)' of token \(open.token) is empty")
                }
                stack.removeLast()
                stack[stack.count - 1].children.append(ParseTree(open.label, open.children))
            } else {
                guard word < words.count else {
                    throw LinearizedTreeError(token: position, message: "more preterminals than the \(words.count) word\(words.count == 1 ? "" : "s")")
                }
                stack[stack.count - 1].children.append(ParseTree(token, [ParseTree(words[word])]))
                word += 1
            }
        }
        if stack.count > 1, let open = stack.last {
            throw LinearizedTreeError(token: open.token, message: "'(\(open.label)' is never closed (unbalanced brackets)")
        }
        if word < words.count {
            throw LinearizedTreeError(message: "\(word) preterminal\(word == 1 ? "" : "s") for \(words.count) words")
        }
        self.init("TOP", stack[0].children)
    }
}
