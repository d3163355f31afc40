import Foundation

/// EVALB (Sekine and Collins 1997, the version with David Ellis's 2006 fix for quotes), the
/// standard scorer of constituency parses: labeled bracketing recall, precision and F-measure,
/// crossing brackets and tagging accuracy, computed and printed as `evalb -p PARAMS GOLD TEST`
/// does, to the byte.
///
/// ```swift
/// let result = EVALB(parameters: .collins).score(gold: goldLines, test: parsedLines)
/// print(result.report, terminator: "")      // what `evalb -p COLLINS.prm gold test` prints
/// result.all.fMeasure                       // 89.12...; result.cutoff for sentences ≤ 40 words
/// ```
///
/// Each line holds one tree, as `(S (NP (DT the) (NN cat)) (VP (VBD sat)))`; COLLINS.prm deletes
/// an outer `TOP` bracket, but the treebank's unlabeled `( (S ...))` counts as a bracket, as it
/// does for evalb. evalb's fixed limits (200 words or brackets a sentence, 100 bytes
/// a word, 5000 a line) do not apply: longer input gets the result evalb would give without them.
public struct EVALB: Sendable {
    public var parameters: EVALBParameters

    public init(parameters: EVALBParameters = .collins) {
        self.parameters = parameters
    }

    /// Scores the test trees against the gold trees, line i against line i. When more than
    /// `maxError + 1` errors have been reported (evalb's `MAX_ERROR`), scoring stops there as
    /// evalb does: `halted` is set, and the report has the rows so far and no summary.
    public func score(gold: [String], test: [String]) -> EVALBResult {
        var run = Run(parameters: parameters)
        do {
            try run.score(gold: gold, test: test)
        } catch {
            run.result.halted = true
        }
        return run.result
    }

    /// evalb stopping (`exit(1)` in `Error`).
    struct Halt: Error {}

    /// One evaluation: evalb's global state.
    struct Run {
        let p: EVALBParameters.Compiled
        let maxError: Int
        var result: EVALBResult
        var errorCount = 0
        /// The line being scored (`Line`).
        var line = 0
        var status = EVALBSentence.Status.valid

        init(parameters: EVALBParameters) {
            p = EVALBParameters.Compiled(parameters)
            maxError = parameters.maxError
            result = EVALBResult(cutoffLength: parameters.cutoffLength)
        }

        /// evalb's `Error`: a message on standard error, an error sentence, and the stop once more
        /// than `MAX_ERROR + 1` have been reported.
        mutating func error(_ text: String, side: EVALBMessage.Side = .both, column: Int? = nil) throws {
            status = .error
            result.messages.append(EVALBMessage(line: line, text: text, side: side, column: column))
            let count = errorCount
            errorCount += 1
            if count > maxError { throw Halt() }
        }

        /// The problems met reading one side's line, reported in order.
        mutating func reportProblems(_ problems: [EVALBTree.Problem], side: EVALBMessage.Side) throws {
            for problem in problems {
                if problem.kind == .readingSentence {
                    // evalb reports this again and again without moving on, until it stops; here
                    // 10,000 times at most (with a larger MAX_ERROR evalb all but hangs).
                    for _ in 0..<10_000 { try error(problem.message, side: side, column: problem.column) }
                    throw Halt()
                }
                try error(problem.message, side: side, column: problem.column)
            }
        }

        mutating func score(gold: [String], test: [String]) throws {
            for (i, goldLine) in gold.enumerated() {
                line = i + 1
                status = .valid
                let g = EVALBTree(goldLine, p)
                try reportProblems(g.problems, side: .gold)
                guard i < test.count else {
                    try error("Number of lines unmatch (too many lines in gold file)", side: .gold)
                    break
                }
                let t = EVALBTree(test[i], p)
                try reportProblems(t.problems, side: .test)
                try compare(g, t)
            }
            if test.count > gold.count {
                line = gold.count + 1
                try error("Number of lines unmatch (too many lines in test file)", side: .test)
            }
        }

        /// evalb's `calc_result` for one pair of trees.
        mutating func compare(_ g: EVALBTree, _ t: EVALBTree) throws {
            var gold = g, test = t
            var row = EVALBSentence(id: line, length: g.length)
            if test.terminals.isEmpty {
                status = .skip
                return add(row, words: 0)
            }
            if gold.terminals.count != test.terminals.count {
                fixQuotes(&gold, &test)
                if gold.terminals.count != test.terminals.count {
                    try error("Length unmatch (\(gold.terminals.count)|\(test.terminals.count))")
                    return add(row, words: 0)
                }
            }
            for (a, b) in zip(gold.terminals, test.terminals) where !p.sameWord(a.word, b.word) {
                try error("Words unmatch (\(String(decoding: a.word, as: UTF8.self))|\(String(decoding: b.word, as: UTF8.self)))")
                return add(row, words: 0)
            }

            // massage_data: empty brackets and deleted labels out, function tags cut.
            for k in gold.brackets.indices { massage(&gold.brackets[k]) }
            for k in test.brackets.indices { massage(&test.brackets[k]) }
            row.goldBrackets = gold.brackets.count { $0.result != 5 }
            row.testBrackets = test.brackets.count { $0.result != 5 }

            // Each gold bracket takes the first unmatched test bracket over the same words (with an
            // equal label when labeled).
            for i in gold.brackets.indices where gold.brackets[i].result != 5 {
                for j in test.brackets.indices {
                    let a = gold.brackets[i], b = test.brackets[j]
                    if b.result == 0 && a.start == b.start && a.end == b.end && (!p.labeled || p.sameLabel(a.label, b.label)) {
                        gold.brackets[i].result = 1
                        test.brackets[j].result = 1
                        row.matched += 1
                        break
                    }
                }
            }

            // Crossing: test brackets that cross some gold bracket.
            for b in test.brackets where b.result != 5 {
                for a in gold.brackets where a.result != 5 {
                    if (a.start < b.start && a.end > b.start && a.end < b.end) || (a.start > b.start && a.start < b.end && a.end > b.end) {
                        row.crossing += 1
                        break
                    }
                }
            }

            row.correctTags = zip(gold.terminals, test.terminals).count { p.sameLabel($0.label, $1.label) }
            add(row, words: gold.terminals.count)
        }

        /// `individual_result`: the row, and the sums it goes into.
        mutating func add(_ row: EVALBSentence, words: Int) {
            var row = row
            row.status = status
            row.words = words
            result.sentences.append(row)
            result.all.add(row)
            if row.length <= result.cutoffLength { result.cutoff.add(row) }
        }

        /// A bracket's fate in `massage_data`: 5 (not counted) when empty or deleted, else 0 with
        /// its label cut at the first `-` or `=`.
        func massage(_ b: inout EVALBTree.Bracket) {
            b.result = 0
            if b.start == b.end {
                b.result = 5
                return
            }
            if let cut = b.label.firstIndex(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "=") }) {
                b.label.removeSubrange(cut...)
            }
            if p.deleteList.contains(where: { p.sameLabel(b.label, $0) }) { b.result = 5 }
        }

        /// `fix_quote`: when the lengths differ, a quote terminal one side deleted and the other kept
        /// (same position, different labels) is put back on the side that deleted it. The loops,
        /// and the positions they shift, are evalb's.
        func fixQuotes(_ gold: inout EVALBTree, _ test: inout EVALBTree) {
            for i in test.quoteTerminals.indices {
                let index = test.quoteTerminals[i].index
                for j in gold.quoteTerminals.indices {
                    let a = gold.quoteTerminals[j], b = test.quoteTerminals[i]
                    guard a.index == index && a.terminal.label != b.terminal.label else { continue }
                    let goldDeleted = p.delete.contains(a.terminal.label), testDeleted = p.delete.contains(b.terminal.label)
                    if goldDeleted && !testDeleted {
                        Self.reinsert(a, &gold)
                        for k in j..<gold.quoteTerminals.count { gold.quoteTerminals[k].index += 1 }
                    } else if testDeleted && !goldDeleted {
                        Self.reinsert(b, &test)
                        for k in i..<test.quoteTerminals.count { test.quoteTerminals[k].index += 1 }
                    }
                }
            }
        }

        /// `reinsert_term`: the word back at its position, the brackets after it and around it shifted.
        static func reinsert(_ q: EVALBTree.QuoteTerminal, _ tree: inout EVALBTree) {
            while tree.terminals.count < q.index { tree.terminals.append(EVALBTree.Terminal(word: [], label: [])) }
            tree.terminals.insert(q.terminal, at: q.index)
            for k in tree.brackets.indices where k >= q.bracket {
                tree.brackets[k].start += 1
                tree.brackets[k].end += 1
            }
            for k in q.enclosing { tree.brackets[k].end += 1 }
        }
    }
}

extension EVALBParameters {
    /// The settings as byte strings and sets, for reading and comparing.
    struct Compiled: Sendable {
        let labeled: Bool
        let delete: Set<[UInt8]>
        let deleteList: [[UInt8]]
        let deleteForLength: Set<[UInt8]>
        let quote: Set<[UInt8]>
        let equivalentLabels: Set<[[UInt8]]>
        let equivalentWords: Set<[[UInt8]]>

        init(_ p: EVALBParameters) {
            labeled = p.labeled
            deleteList = p.deleteLabels.map { Array($0.utf8) }
            delete = Set(deleteList)
            deleteForLength = Set(p.deleteLabelsForLength.map { Array($0.utf8) })
            quote = Set(p.quoteLabels.map { Array($0.utf8) })
            func both(_ pairs: [Pair]) -> Set<[[UInt8]]> {
                Set(pairs.flatMap { [[Array($0.first.utf8), Array($0.second.utf8)], [Array($0.second.utf8), Array($0.first.utf8)]] })
            }
            equivalentLabels = both(p.equivalentLabels)
            equivalentWords = both(p.equivalentWords)
        }

        /// `label_comp`.
        func sameLabel(_ a: [UInt8], _ b: [UInt8]) -> Bool { a == b || equivalentLabels.contains([a, b]) }
        /// `word_comp`.
        func sameWord(_ a: [UInt8], _ b: [UInt8]) -> Bool { a == b || equivalentWords.contains([a, b]) }

        /// `is_quote_term`: a `QUOTE_LABEL` preterminal over `'`, `"` or `/`.
        func isQuoteTerminal(label: [UInt8], word: [UInt8]) -> Bool {
            quote.contains(label) && word.count == 1 && (word[0] == UInt8(ascii: "'") || word[0] == UInt8(ascii: "\"") || word[0] == UInt8(ascii: "/"))
        }
    }
}
