/// One line of a gold or test file as evalb's `read_line` reads it: the words left after deleted
/// preterminals are dropped, the brackets above them as word spans, the quote terminals that
/// `QUOTE_LABEL` asks to keep track of, the sentence length, and the problems met on the way.
///
/// The reading is evalb's, byte for byte: a bracket opens with `(` and its label runs to the
/// next white space or bracket; a label followed by white space, a word and `)` is a preterminal;
/// anything else is a bracket over what follows. Labels and words are compared as bytes. There
/// is no limit on words, brackets, or the length of a word, label or line.
struct EVALBTree {
    struct Terminal: Equatable {
        var word: [UInt8]
        var label: [UInt8]
    }

    struct Bracket: Equatable {
        var start: Int
        /// -1 while (or if never) closed.
        var end = -1
        var label: [UInt8]
        /// evalb's `result`: 0 unmatched, 1 matched, 5 deleted, 9 not yet looked at.
        var result = 9
    }

    /// A preterminal named by `QUOTE_LABEL` over `'`, `"` or `/`, deleted or not (`s_term_ind`).
    struct QuoteTerminal {
        var terminal: Terminal
        /// The word position it has (or would have, when deleted).
        var index: Int
        /// The number of brackets opened before it.
        var bracket: Int
        /// The brackets open around it.
        var enclosing: [Int]
    }

    /// What evalb reports while reading a line, in order (each is one of its `Error` calls), with
    /// the column (in characters, from 1) where it saw it.
    struct Problem: Equatable {
        enum Kind: Equatable {
            /// A preterminal with more than a word (`(NN a b)`), or white space before its `)`.
            case moreThanTwoElements
            /// A byte that starts no bracket and follows no label, such as a word outside a
            /// preterminal: evalb reports it again and again, never moving on, until it stops.
            case readingSentence
            /// A `)` closing nothing, after the first such (evalb says nothing about the first).
            case tooManyCloseBrackets
            /// Brackets left open at the end of the line (or more `)` than `(`).
            case tooManyOpenBrackets
        }

        var kind: Kind
        var column: Int?

        /// evalb's text.
        var message: String {
            switch kind {
            case .moreThanTwoElements: "More than two elements in a bracket"
            case .readingSentence: "Reading sentence"
            case .tooManyCloseBrackets: "Bracketing unbalance (too many close bracket)"
            case .tooManyOpenBrackets: "Bracketing is unbalanced (too many open bracket)"
            }
        }
    }

    var terminals: [Terminal] = []
    var brackets: [Bracket] = []
    var quoteTerminals: [QuoteTerminal] = []
    /// The words not deleted by `DELETE_LABEL_FOR_LENGTH`, deleted ones (`DELETE_LABEL`) included:
    /// evalb's sentence length, `r_wn1`.
    var length = 0
    var problems: [Problem] = []

    init(_ line: String, _ parameters: EVALBParameters.Compiled) {
        // evalb reads the line with its "\n" and stops at a NUL byte.
        var b = Array(line.utf8)
        if let nul = b.firstIndex(of: 0) { b.removeSubrange(nul...) }
        b.append(0x0A)
        let n = b.count
        let open = UInt8(ascii: "("), close = UInt8(ascii: ")")
        func isTerminator(_ c: UInt8) -> Bool { EVALBBytes.isSpace(c) || c == open || c == close }
        func problem(_ kind: Problem.Kind, at offset: Int?) {
            problems.append(Problem(kind: kind, column: offset.map { o in b[0..<o].count { $0 & 0xC0 != 0x80 } + 1 }))
        }

        // evalb's bracket stack; `top` goes below zero on `)` without `(`, as `stack_top` does.
        var stack: [Int] = []
        var top = 0
        var p = 0
        while p < n {
            let c = b[p]
            if EVALBBytes.isSpace(c) {
                p += 1
            } else if c == open {
                p += 1
                let labelStart = p
                while p < n && !isTerminator(b[p]) { p += 1 }
                let label = Array(b[labelStart..<p])
                if p < n && EVALBBytes.isSpace(b[p]) {
                    var q = p + 1
                    while q < n && EVALBBytes.isSpace(b[q]) { q += 1 }
                    let wordStart = q
                    while q < n && !isTerminator(b[q]) { q += 1 }
                    let word = Array(b[wordStart..<q])
                    let closes = q < n && b[q] == close
                    if closes {
                        if !parameters.deleteForLength.contains(label) { length += 1 }
                        if parameters.isQuoteTerminal(label: label, word: word) {
                            quoteTerminals.append(QuoteTerminal(terminal: Terminal(word: word, label: label), index: terminals.count,
                                                                bracket: brackets.count, enclosing: top > 0 ? Array(stack[0..<top]) : []))
                        }
                        if !parameters.delete.contains(label) { terminals.append(Terminal(word: word, label: label)) }
                        p = q + 1
                        continue
                    }
                    if !(q < n && b[q] == open) { problem(.moreThanTwoElements, at: wordStart) }
                }
                // A bracket over what follows (after the error above too, as evalb does).
                brackets.append(Bracket(start: terminals.count, label: label))
                if top >= 0 {
                    if top < stack.count { stack[top] = brackets.count - 1 } else { stack.append(brackets.count - 1) }
                }
                top += 1
            } else if c == close {
                if top < 0 { problem(.tooManyCloseBrackets, at: p) }
                // evalb reads below its stack here (undefined); nothing is closed.
                if top > 0 { brackets[stack[top - 1]].end = terminals.count }
                top -= 1
                p += 1
            } else {
                problem(.readingSentence, at: p)
                return
            }
        }
        if top != 0 { problem(.tooManyOpenBrackets, at: nil) }
    }
}
