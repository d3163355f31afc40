/// Byte-pair-encoding segmentation as sentencepiece's `bpe::Model::SampleEncode`
/// (src/bpe_model.cc): start from characters (user-defined symbols kept whole and never merged),
/// then repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece (ties:
/// the leftmost pair), with a priority queue of candidate pairs. Pieces of type UNUSED may be
/// formed while merging but are split back into the pieces they were made of.
///
/// With `dropout > 0` each merge is skipped with that probability (BPE-dropout, Provilkov et
/// al. 2020), as sentencepiece's sampling for BPE.
struct BPEModel: Sendable {
    let vocab: Vocabulary
    /// User-defined symbols, matched longest first at each position (sentencepiece's PrefixMatcher).
    private let userSymbols: PieceTrie?
    /// True when no piece contains "▁" after its first character: then words merge independently.
    private let splitsAtSpaces: Bool

    init(vocab: Vocabulary) {
        self.vocab = vocab
        let space: [UInt8] = [0xE2, 0x96, 0x81]
        splitsAtSpaces = zip(vocab.pieceBytes, vocab.types).allSatisfy { bytes, type in
            guard type == .normal || type == .userDefined || type == .unused, bytes.count > 3 else { return true }
            return !bytes[1...].indices.contains { i in i + 3 <= bytes.count && bytes[i ..< i + 3].elementsEqual(space) }
        }
        userSymbols = vocab.userDefined.isEmpty ? nil
            : PieceTrie(keys: vocab.userDefined.map { Array($0.utf8) }, values: vocab.userDefined.indices.map { Int32($0) })
    }

    private struct Symbol {
        var prev: Int32
        var next: Int32
        var start: Int32
        var length: Int32  // 0 once merged into its left neighbour
        var freeze: Bool
        /// The trie node its bytes lead to from the root, -1 if they lead nowhere.
        var node: Int32
    }

    private struct Pair: HeapOrdered {
        var left: Int32
        var right: Int32
        var score: Float
        var size: Int32
        var node: Int32  // the trie node of the merged piece
        // sentencepiece's SymbolPairComparator: higher score first, then the leftmost.
        static func heapLess(_ a: Pair, _ b: Pair) -> Bool {
            a.score < b.score || (a.score == b.score && a.left > b.left)
        }
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Segment]) {
        var none = NoRandom()
        encode(text, dropout: 0, using: &none, into: &out)
    }

    func encode<G: RandomNumberGenerator>(_ text: UnsafeBufferPointer<UInt8>, dropout: Float, using generator: inout G,
                                          into out: inout [Segment]) {
        out.removeAll(keepingCapacity: true)
        let n = text.count
        guard n > 0, let p = text.baseAddress else { return }
        var scratch = Scratch()
        guard splitsAtSpaces else {
            encodeWord(p, 0, n, dropout, &generator, &scratch, &out)
            return
        }
        // No piece has "▁" past its first character, so no merge crosses the start of a word:
        // each word can be merged on its own, with a small queue, to the same result.
        var wordStart = 0
        var i = 1
        while i + 2 < n {
            if p[i] == 0xE2 && p[i + 1] == 0x96 && p[i + 2] == 0x81 {
                encodeWord(p, wordStart, i, dropout, &generator, &scratch, &out)
                wordStart = i
                i += 3
            } else {
                i += 1
            }
        }
        encodeWord(p, wordStart, n, dropout, &generator, &scratch, &out)
    }

    /// Buffers reused from word to word.
    private struct Scratch {
        var symbols: [Symbol] = []
        var agenda = StdPriorityQueue<Pair>()
        /// Unused pieces met while merging: id → the length of the left part it was made from.
        var reverseMerge: [Int32: Int32] = [:]
    }

    /// sentencepiece's merge loop over the bytes `from..<to` of the text at `p`.
    private func encodeWord<G: RandomNumberGenerator>(_ p: UnsafePointer<UInt8>, _ from: Int, _ to: Int, _ dropout: Float,
                                                      _ generator: inout G, _ scratch: inout Scratch, _ out: inout [Segment]) {
        // Split into characters and user-defined symbols.
        scratch.symbols.removeAll(keepingCapacity: true)
        scratch.agenda.removeAll()
        let hasUnused = vocab.hasUnused
        if hasUnused { scratch.reverseMerge.removeAll(keepingCapacity: true) }
        vocab.trie.withNodes { trie in
            var i = from
            while i < to {
                var length = min(oneCharLength(p[i]), to - i)
                var freeze = false
                if let userSymbols, let m = longestMatch(userSymbols, p + i, to - i) {
                    length = m
                    freeze = true
                }
                var node: Int32 = 0
                for k in i ..< i + length where node >= 0 { node = trie.child(node, p[k]) }
                let index = Int32(scratch.symbols.count)
                scratch.symbols.append(Symbol(prev: index - 1, next: i + length < to ? index + 1 : -1,
                                              start: Int32(i), length: Int32(length), freeze: freeze, node: node))
                i += length
            }

            vocab.scores.withUnsafeBufferPointer { scores in
                scratch.symbols.withUnsafeMutableBufferPointer { symbols in
                    // sentencepiece's MaybeAddNewSymbolPair: queue the pair if its concatenation
                    // (contiguous in the text) is a piece. The walk starts at the left symbol's node.
                    @inline(__always) func pair(_ left: Int32, _ right: Int32) -> (Pair, Int32)? {
                        guard left >= 0, right >= 0 else { return nil }
                        let l = symbols[Int(left)], r = symbols[Int(right)]
                        guard !l.freeze, !r.freeze, l.node >= 0 else { return nil }
                        var s = l.node
                        var k = Int(r.start)
                        let end = k + Int(r.length)
                        while k < end {
                            s = trie.child(s, p[k])
                            if s < 0 { return nil }
                            k &+= 1
                        }
                        let id = trie[s].value
                        guard id >= 0 else { return nil }
                        return (Pair(left: left, right: right, score: scores[Int(id)], size: l.length + r.length, node: s), id)
                    }

                    for k in 1 ..< symbols.count {
                        if let (q, id) = pair(Int32(k - 1), Int32(k)) {
                            scratch.agenda.push(q)
                            if hasUnused && vocab.types[Int(id)] == .unused { scratch.reverseMerge[id] = symbols[k - 1].length }
                        }
                    }

                    while let top = scratch.agenda.pop() {
                        let l = symbols[Int(top.left)], r = symbols[Int(top.right)]
                        // Stale: one side was merged away or grew since this pair was queued.
                        if l.length == 0 || r.length == 0 || l.length + r.length != top.size { continue }
                        if dropout > 0 && (dropout >= 1 || Float.random(in: 0 ..< 1, using: &generator) < dropout) { continue }
                        symbols[Int(top.left)].length = top.size
                        symbols[Int(top.left)].node = top.node
                        symbols[Int(top.left)].next = r.next
                        if r.next >= 0 { symbols[Int(r.next)].prev = top.left }
                        symbols[Int(top.right)].length = 0
                        if let (q, id) = pair(l.prev, top.left) {
                            scratch.agenda.push(q)
                            if hasUnused && vocab.types[Int(id)] == .unused { scratch.reverseMerge[id] = symbols[Int(l.prev)].length }
                        }
                        if let (q, id) = pair(top.left, r.next) {
                            scratch.agenda.push(q)
                            if hasUnused && vocab.types[Int(id)] == .unused { scratch.reverseMerge[id] = top.size }
                        }
                    }
                }
            }
        }

        var index: Int32 = scratch.symbols.isEmpty ? -1 : 0
        while index >= 0 {
            let s = scratch.symbols[Int(index)]
            if hasUnused {
                resegment(p, s.start, s.start + s.length, scratch.reverseMerge, &out)
            } else {
                let id = vocab.id(ofBytes: UnsafeBufferPointer(start: p + Int(s.start), count: Int(s.length)))
                out.append(Segment(start: s.start, end: s.start + s.length, id: id))
            }
            index = s.next
        }
    }

    /// Emits `start..<end` with its id, splitting UNUSED pieces back into their parts.
    private func resegment(_ p: UnsafePointer<UInt8>, _ start: Int32, _ end: Int32, _ reverseMerge: [Int32: Int32],
                           _ out: inout [Segment]) {
        let id = vocab.id(ofBytes: UnsafeBufferPointer(start: p + Int(start), count: Int(end - start)))
        if vocab.types[Int(id)] == .unused, let leftLength = reverseMerge[id] {
            resegment(p, start, start + leftLength, reverseMerge, &out)
            resegment(p, start + leftLength, end, reverseMerge, &out)
        } else {
            out.append(Segment(start: start, end: end, id: id))
        }
    }

    /// The length of the longest key of `trie` that prefixes `p[0..<n]`.
    private func longestMatch(_ trie: PieceTrie, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        trie.withNodes { t in
            var s: Int32 = 0
            var found: Int?
            for k in 0 ..< n {
                s = t.child(s, p[k])
                if s < 0 { break }
                if t[s].value >= 0 { found = k + 1 }
            }
            return found
        }
    }
}

/// A generator for the deterministic path (never asked for a number: dropout is 0 there).
struct NoRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 { 0 }
}
