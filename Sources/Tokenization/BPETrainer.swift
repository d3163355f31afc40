/// sentencepiece's BPE trainer (bpe_model_trainer.cc, Sennrich et al. 2016): start from the
/// characters of every word and repeatedly merge the most frequent pair of adjacent symbols
/// into a new symbol, until the vocabulary is full; the alphabet comes last. Piece scores are
/// minus the merge order, so the encoder applies merges in the order they were learned.
///
/// As in sentencepiece: pair counts include overlapping occurrences ("aaa" holds two "aa"), a
/// merge is applied left to right in each word, pairs with an unknown character or forming an
/// invalid piece are never counted, ties go to the shorter then the smaller string, and a pair
/// whose string was already learned through another merge path is skipped, not applied. Unlike
/// sentencepiece, which looks for the best pair among the 5% most frequent (refreshed every 100
/// merges), the best pair is found exactly with a heap.
struct BPETrainer {
    let base: TrainerInterface
    private var options: TrainerOptions { base.options }

    init(base: TrainerInterface) { self.base = base }

    /// A symbol: a character, or the merge of two symbols.
    private struct Symbol {
        var chars: [UInt32]
        var isUnknown: Bool
    }

    /// A pair of adjacent symbols that would make a valid piece.
    private struct Pair {
        var left: Int32
        var right: Int32
        var merged: [UInt32]
        var count: Int64 = 0
        var active = true
        /// Words where the pair occurred (may hold stale entries and repeats).
        var words: [Int32] = []
    }

    func train() throws -> [(piece: [UInt32], score: Float)] {
        let clock = TrainerInterface.ProgressClock(verbose: options.verbose)
        let (words, freqs) = options.splitByWhitespace
            ? base.wordsWithFrequencies() : (base.sentences, base.frequencies)

        var symbols: [Symbol] = []
        var charSymbol: [UInt32: Int32] = [:]
        func symbolOf(char c: UInt32) -> Int32 {
            if let s = charSymbol[c] { return s }
            let s = Int32(symbols.count)
            symbols.append(Symbol(chars: [c], isUnknown: c == TrainerInterface.unknownChar))
            charSymbol[c] = s
            return s
        }

        // The words as doubly linked lists of symbols over one flat array; -1 ends a list.
        var sym: [Int32] = []
        var next: [Int32] = []
        var prev: [Int32] = []
        var wordOf: [Int32] = []
        var wordStart: [Int32] = []
        for (w, word) in words.enumerated() {
            wordStart.append(Int32(sym.count))
            for (k, c) in word.enumerated() {
                let i = Int32(sym.count)
                sym.append(symbolOf(char: c))
                prev.append(k == 0 ? -1 : i - 1)
                next.append(k == word.count - 1 ? -1 : i + 1)
                wordOf.append(Int32(w))
            }
        }

        var pairs: [Pair] = []
        var pairIndex: [UInt64: Int32] = [:]  // (left, right) -> pair; -1 = invalid pair
        func pairOf(_ l: Int32, _ r: Int32) -> Int32 {
            let key = UInt64(UInt32(bitPattern: l)) << 32 | UInt64(UInt32(bitPattern: r))
            if let p = pairIndex[key] { return p }
            var p: Int32 = -1
            if !symbols[Int(l)].isUnknown && !symbols[Int(r)].isUnknown {
                let merged = symbols[Int(l)].chars + symbols[Int(r)].chars
                if base.isValidPiece(merged) {
                    p = Int32(pairs.count)
                    pairs.append(Pair(left: l, right: r, merged: merged))
                }
            }
            pairIndex[key] = p
            return p
        }

        var heap = StdPriorityQueue<PairEntry>()
        var touched: [Int32] = []
        func add(_ p: Int32, _ word: Int32, _ f: Int64) {
            guard p >= 0 else { return }
            pairs[Int(p)].count += f
            if pairs[Int(p)].words.last != word { pairs[Int(p)].words.append(word) }
            touched.append(p)
        }
        func remove(_ p: Int32, _ f: Int64) {
            guard p >= 0 else { return }
            pairs[Int(p)].count -= f
            touched.append(p)
        }

        for i in sym.indices where next[i] >= 0 {
            add(pairOf(sym[i], sym[Int(next[i])]), wordOf[i], freqs[Int(wordOf[i])])
        }
        func flushTouched() {
            for p in touched where pairs[Int(p)].active && pairs[Int(p)].count > 0 {
                let merged = pairs[Int(p)].merged
                heap.push(PairEntry(count: pairs[Int(p)].count, pair: p, length: Int32(merged.count), chars: merged))
            }
            touched.removeAll(keepingCapacity: true)
        }
        flushTouched()

        let target = options.vocabSize - base.metaPieces.count - base.requiredChars.count
        guard target >= 0 else {
            throw TrainerError.vocabularyTooSmall(
                vocabSize: options.vocabSize, needed: base.metaPieces.count + base.requiredChars.count)
        }
        var learned: [(piece: [UInt32], score: Float)] = []
        var seen = Set<[UInt32]>()
        clock.log("BPE over \(words.count) words, \(pairs.count) pairs")

        while learned.count < target {
            // The most frequent active pair whose heap entry is current.
            var best: Int32 = -1
            while let top = heap.pop() {
                let p = pairs[Int(top.pair)]
                if p.active && p.count == top.count && p.count > 0 { best = top.pair; break }
            }
            if best < 0 { break }  // nothing left to merge
            pairs[Int(best)].active = false
            let merged = pairs[Int(best)].merged
            if !seen.insert(merged).inserted { continue }  // same string by another path: skip
            learned.append((merged, -Float(learned.count)))

            // Apply the merge in every word where the pair occurs, left to right.
            let newSymbol = Int32(symbols.count)
            symbols.append(Symbol(chars: merged, isUnknown: false))
            let (l, r) = (pairs[Int(best)].left, pairs[Int(best)].right)
            var wordsOfPair = pairs[Int(best)].words
            pairs[Int(best)].words = []
            wordsOfPair.sort()
            var lastWord: Int32 = -1
            for w in wordsOfPair where w != lastWord {
                lastWord = w
                let f = freqs[Int(w)]
                var i = wordStart[Int(w)]
                while i >= 0 {
                    let j = next[Int(i)]
                    guard j >= 0, sym[Int(i)] == l, sym[Int(j)] == r else { i = j; continue }
                    let before = prev[Int(i)], after = next[Int(j)]
                    if before >= 0 { remove(pairOf(sym[Int(before)], l), f) }
                    if after >= 0 { remove(pairOf(r, sym[Int(after)]), f) }
                    pairs[Int(best)].count -= f
                    sym[Int(i)] = newSymbol
                    next[Int(i)] = after
                    if after >= 0 { prev[Int(after)] = i }
                    sym[Int(j)] = -1
                    if before >= 0 { add(pairOf(sym[Int(before)], newSymbol), w, f) }
                    if after >= 0 { add(pairOf(newSymbol, sym[Int(after)]), w, f) }
                    i = after
                }
            }
            flushTouched()
            if learned.count % 1000 == 0 { clock.log("merges: \(learned.count)") }
        }
        // The alphabet, most frequent first, after the merges.
        for (c, _) in base.requiredChars {
            learned.append(([c], -Float(learned.count)))
        }
        return learned
    }

    /// A heap entry of (count, pair), ordered as sentencepiece picks the best symbol: higher
    /// count, then shorter string, then smaller string. Entries go stale when counts change;
    /// the caller skips those.
    private struct PairEntry: HeapOrdered {
        var count: Int64
        var pair: Int32
        var length: Int32
        var chars: [UInt32]

        /// `a` pops after `b` (a total order, so any heap pops the same sequence).
        static func heapLess(_ a: PairEntry, _ b: PairEntry) -> Bool {
            if a.count != b.count { return a.count < b.count }
            if a.length != b.length { return a.length > b.length }
            if a.chars != b.chars { return b.chars.lexicographicallyPrecedes(a.chars) }
            return a.pair > b.pair
        }
    }
}
