import Foundation

// The unigram trainer's working vocabulary and its segmentation lattice: sentencepiece's
// TrainerModel (a unigram model whose pieces change every EM step) and Lattice
// (unigram_model.cc), reduced to what training needs.

extension UnigramTrainer {
    /// Pieces (as Unicode scalars) with their scores, stored flat.
    struct PieceList {
        private(set) var chars: [UInt32] = []
        private(set) var offsets: [Int] = [0]
        var scores: [Float] = []

        var count: Int { scores.count }

        mutating func append<C: Sequence>(_ piece: C, score: Float) where C.Element == UInt32 {
            chars.append(contentsOf: piece)
            offsets.append(chars.count)
            scores.append(score)
        }

        func piece(_ i: Int) -> ArraySlice<UInt32> { chars[offsets[i]..<offsets[i + 1]] }

        func withPiece<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R {
            chars.withUnsafeBufferPointer { p in
                body(UnsafeBufferPointer(rebasing: p[offsets[i]..<offsets[i + 1]]))
            }
        }
    }

    /// Texts (words or sentences) stored flat, for the E step and Viterbi passes.
    struct FlatTexts {
        private var chars: [UInt32] = []
        private var offsets: [Int] = [0]

        init(_ texts: [[UInt32]]) {
            chars.reserveCapacity(texts.reduce(0) { $0 + $1.count })
            for t in texts {
                chars.append(contentsOf: t)
                offsets.append(chars.count)
            }
        }

        var count: Int { offsets.count - 1 }

        func withText<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R {
            chars.withUnsafeBufferPointer { p in
                body(UnsafeBufferPointer(rebasing: p[offsets[i]..<offsets[i + 1]]))
            }
        }
    }

    /// The current vocabulary during training (sentencepiece's TrainerModel): pieces, scores and a
    /// trie to find every piece starting at a position.
    struct TrainerModel {
        let pieces: PieceList
        let trie: PieceTrie
        let minScore: Float
        /// Score of an unknown character: 10 below the worst piece (as sentencepiece's unigram model).
        let unknownScore: Float

        init(pieces: PieceList) {
            self.pieces = pieces
            self.trie = PieceTrie(pieces)
            let m = pieces.scores.min() ?? 0
            self.minScore = m
            self.unknownScore = m - 10
        }
    }

    /// A trie over pieces: (node, character) → child in an open-addressing hash table.
    struct PieceTrie {
        private var keys: [UInt64]
        private var children: [Int32]
        private let shift: UInt64
        private let mask: Int
        /// The piece ending at each node, or -1. Node 0 is the root.
        private(set) var pieceAt: [Int32] = [-1]

        init(_ pieces: PieceList) {
            let capacity = max(16, nextPowerOfTwo(pieces.chars.count * 2))
            keys = [UInt64](repeating: 0, count: capacity)
            children = [Int32](repeating: -1, count: capacity)
            mask = capacity - 1
            shift = UInt64(64 - capacity.trailingZeroBitCount)
            for i in 0..<pieces.count {
                var node: Int32 = 0
                for c in pieces.piece(i) {
                    node = childOrInsert(node, c)
                }
                pieceAt[Int(node)] = Int32(i)
            }
        }

        @inline(__always) private func slot(_ key: UInt64) -> Int {
            Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        }

        private mutating func childOrInsert(_ node: Int32, _ c: UInt32) -> Int32 {
            let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(c)
            var i = slot(key)
            while keys[i] != 0 {
                if keys[i] == key { return children[i] }
                i = (i + 1) & mask
            }
            keys[i] = key
            let child = Int32(pieceAt.count)
            children[i] = child
            pieceAt.append(-1)
            return child
        }

        /// The child of `node` by character `c`, or -1.
        @inline(__always) func child(_ node: Int32, _ c: UInt32) -> Int32 {
            let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(c)
            return keys.withUnsafeBufferPointer { k in
                var i = slot(key)
                while true {
                    let v = k[i]
                    if v == key { return children.withUnsafeBufferPointer { $0[i] } }
                    if v == 0 { return -1 }
                    i = (i + 1) & mask
                }
            }
        }
    }

    /// The segmentation lattice of one text: an edge per piece occurrence (and per unknown
    /// character no single-character piece covers), in order of start position. Buffers are reused.
    struct Lattice {
        private var start: [Int32] = []
        private var end: [Int32] = []
        private var id: [Int32] = []
        private var score: [Float] = []
        private var alpha: [Float] = []
        private var beta: [Float] = []
        private var length = 0

        /// PopulateNodes.
        mutating func build(_ text: UnsafeBufferPointer<UInt32>, _ model: TrainerModel) {
            start.removeAll(keepingCapacity: true)
            end.removeAll(keepingCapacity: true)
            id.removeAll(keepingCapacity: true)
            score.removeAll(keepingCapacity: true)
            length = text.count
            let trie = model.trie
            model.pieces.scores.withUnsafeBufferPointer { scores in
                trie.pieceAt.withUnsafeBufferPointer { pieceAt in
                    for b in 0..<text.count {
                        var node: Int32 = 0
                        var hasSingle = false
                        var e = b
                        while e < text.count {
                            node = trie.child(node, text[e])
                            if node < 0 { break }
                            e += 1
                            let p = pieceAt[Int(node)]
                            if p >= 0 {
                                start.append(Int32(b)); end.append(Int32(e)); id.append(p); score.append(scores[Int(p)])
                                if e == b + 1 { hasSingle = true }
                            }
                        }
                        if !hasSingle {
                            start.append(Int32(b)); end.append(Int32(b + 1)); id.append(-1); score.append(model.unknownScore)
                        }
                    }
                }
            }
        }

        /// sentencepiece's LogSumExp: terms more than 50 nats below the larger are dropped.
        @inline(__always) private static func logSumExp(_ x: Float, _ y: Float) -> Float {
            if x == -.infinity { return y }
            let vmin = min(x, y), vmax = max(x, y)
            if vmax > vmin + 50 { return vmax }
            return vmax + Float(log(exp(Double(vmin - vmax)) + 1.0))
        }

        /// PopulateMarginal: adds freq × P(edge) to `expected[piece]` for every edge; returns freq × log Z.
        mutating func addMarginals(freq: Float, into expected: UnsafeMutablePointer<Float>) -> Float {
            let n = length
            alpha.removeAll(keepingCapacity: true)
            alpha.append(contentsOf: repeatElement(-Float.infinity, count: n + 1))
            beta.removeAll(keepingCapacity: true)
            beta.append(contentsOf: repeatElement(-Float.infinity, count: n + 1))
            let m = start.count
            return start.withUnsafeBufferPointer { st in
                end.withUnsafeBufferPointer { en in
                    score.withUnsafeBufferPointer { sc in
                        id.withUnsafeBufferPointer { ids in
                            alpha.withUnsafeMutableBufferPointer { a in
                                beta.withUnsafeMutableBufferPointer { b in
                                    // Edges are sorted by start, so a forward sweep sees every edge into a
                                    // position before any edge out of it; the backward sweep is the mirror.
                                    a[0] = 0
                                    for k in 0..<m {
                                        let s = Int(st[k]), e = Int(en[k])
                                        a[e] = Self.logSumExp(a[e], a[s] + sc[k])
                                    }
                                    b[n] = 0
                                    for k in stride(from: m - 1, through: 0, by: -1) {
                                        let s = Int(st[k]), e = Int(en[k])
                                        b[s] = Self.logSumExp(b[s], sc[k] + b[e])
                                    }
                                    let z = a[n]
                                    for k in 0..<m where ids[k] >= 0 {
                                        let s = Int(st[k]), e = Int(en[k])
                                        expected[Int(ids[k])] += freq * Float(exp(Double(a[s] + sc[k] + b[e] - z)))
                                    }
                                    return freq * z
                                }
                            }
                        }
                    }
                }
            }
        }

        /// The best segmentation's piece ids (-1 for unknown characters), left to right.
        mutating func viterbi() -> [Int32] {
            let n = length
            alpha.removeAll(keepingCapacity: true)
            alpha.append(contentsOf: repeatElement(-Float.infinity, count: n + 1))
            var back = [Int32](repeating: -1, count: n + 1)
            alpha[0] = 0
            for k in 0..<start.count {
                let s = Int(start[k]), e = Int(end[k])
                let cand = alpha[s] + score[k]
                if back[e] < 0 || cand > alpha[e] {
                    alpha[e] = cand
                    back[e] = Int32(k)
                }
            }
            var path: [Int32] = []
            var pos = n
            while pos > 0 {
                let k = Int(back[pos])
                path.append(id[k])
                pos = Int(start[k])
            }
            return path.reversed()
        }

        /// The two best segmentations (piece ids); the second is nil when there is only one.
        mutating func twoBest() -> (best: [Int32], second: [Int32]?) {
            let n = length
            // Per position the two best (score, edge, rank of the prefix at the edge's start).
            var s1 = [Float](repeating: -.infinity, count: n + 1), s2 = s1
            var e1 = [Int32](repeating: -1, count: n + 1), e2 = e1
            var r1 = [UInt8](repeating: 0, count: n + 1), r2 = r1
            s1[0] = 0
            for k in 0..<start.count {
                let s = Int(start[k]), e = Int(end[k])
                for rank in 0..<2 {
                    let prev = rank == 0 ? s1[s] : s2[s]
                    if prev == -.infinity || (s > 0 && (rank == 0 ? e1[s] : e2[s]) < 0) { continue }
                    let cand = prev + score[k]
                    if e1[e] < 0 || cand > s1[e] {
                        s2[e] = s1[e]; e2[e] = e1[e]; r2[e] = r1[e]
                        s1[e] = cand; e1[e] = Int32(k); r1[e] = UInt8(rank)
                    } else if e2[e] < 0 || cand > s2[e] {
                        s2[e] = cand; e2[e] = Int32(k); r2[e] = UInt8(rank)
                    }
                }
            }
            func path(rank: Int) -> [Int32] {
                var out: [Int32] = []
                var pos = n, r = rank
                while pos > 0 {
                    let k = Int(r == 0 ? e1[pos] : e2[pos])
                    out.append(id[k])
                    r = Int(r == 0 ? r1[pos] : r2[pos])
                    pos = Int(start[k])
                }
                return out.reversed()
            }
            let best = path(rank: 0)
            return (best, e2[n] >= 0 ? path(rank: 1) : nil)
        }
    }
}

private func nextPowerOfTwo(_ n: Int) -> Int { n <= 1 ? 1 : 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount) }
