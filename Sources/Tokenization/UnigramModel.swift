import Foundation

/// The unigram language-model segmenter of sentencepiece (src/unigram_model.cc, Kudo 2018):
/// the best segmentation maximizes the sum of piece log-probabilities (scores).
///
/// - `encode` is `Model::EncodeOptimized`, the one sentencepiece runs by default: Viterbi over
///   UTF-8 byte positions, keeping only the best path ending at each position, in float.
/// - `nbest` and `sample` build sentencepiece's `Lattice` (nodes on character positions) and run
///   its A* n-best search and forward-filtering / backward-sampling (`Lattice::NBest`,
///   `Lattice::Sample`), for subword regularization.
///
/// Scores follow sentencepiece 0.2.3 (the Python wheel the fixtures come from) to the bit: a
/// user-defined symbol of length L scores `float(0.1 · (L − 1))` in double (L in bytes in the
/// Viterbi encoder, in characters in the lattice), so it beats any normal segmentation; an unknown
/// character scores `min_score − 10` (min over NORMAL pieces); a character not covered by any
/// single-character piece gets an `<unk>` node. (Older sentencepiece releases scored user-defined
/// symbols `L · max_score − 0.1`; the choice only matters for exact score ties.)
struct UnigramModel: Sendable {
    let vocab: Vocabulary
    /// Per id: 0 = scored by its score, 1 = user-defined, 2 = unused (never matched).
    private let kinds: [UInt8]
    private let unkScore: Float
    /// The vocabulary's trie without UNUSED pieces, each terminal node holding the score the
    /// Viterbi encoder gives its piece.
    private let trie: PieceTrie

    /// The score sentencepiece 0.2.3 gives a user-defined symbol of `length` bytes or characters.
    @inline(__always) static func userDefinedScore(_ length: Int) -> Float { Float(Double(length - 1) * 0.1) }

    init(vocab: Vocabulary) {
        self.vocab = vocab
        let kinds: [UInt8] = vocab.types.map { $0 == .userDefined ? 1 : $0 == .unused ? 2 : 0 }
        self.kinds = kinds
        unkScore = vocab.minScore - 10  // kUnkPenalty
        var trie = vocab.trie
        trie.assignScores({ id, bytes in
            kinds[Int(id)] == 1 ? UnigramModel.userDefinedScore(bytes) : vocab.scores[Int(id)]
        }, keep: { kinds[Int($0)] != 2 })
        self.trie = trie
    }

    private struct BestNode {
        var score: Float
        var start: Int32
        var id: Int32
    }

    /// The best segmentation of the normalized `text`, as `Model::EncodeOptimized`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Segment]) {
        out.removeAll(keepingCapacity: true)
        let n = text.count
        guard n > 0, let p = text.baseAddress else { return }
        let unkScore = self.unkScore, unkId = vocab.unkId
        withUnsafeTemporaryAllocation(of: BestNode.self, capacity: n + 1) { best in
            best.initialize(repeating: BestNode(score: 0, start: -1, id: -1))
            trie.withNodes { trie in
                var start = 0
                var maxEnd = 0  // the furthest position a candidate has reached
                while start < n {
                    var baseScore = best[start].score
                    // sentencepiece 0.2.3 re-bases the scores ahead once the path score
                    // leaves ±1e5, so that float keeps its precision on long inputs.
                    if baseScore < -100_000 || baseScore > 100_000 {
                        if maxEnd >= start {
                            for k in start ... maxEnd where k == start || best[k].start != -1 {
                                best[k].score -= baseScore
                            }
                        }
                        baseScore = 0
                    }
                    let charLength = min(oneCharLength(p[start]), n - start)
                    var hasSingle = false
                    var s: Int32 = 0
                    var k = start
                    while k < n {
                        s = trie.child(s, p[k])
                        if s < 0 { break }
                        k &+= 1
                        let node = trie[s]
                        if node.value < 0 { continue }
                        let id = node.value
                        let length = k - start
                        maxEnd = max(maxEnd, k)
                        let candidate = node.score + baseScore
                        if best[k].start == -1 || candidate > best[k].score {
                            best[k] = BestNode(score: candidate, start: Int32(start), id: id)
                        }
                        if length == charLength { hasSingle = true }
                    }
                    if !hasSingle {
                        let e = start + charLength
                        maxEnd = max(maxEnd, e)
                        let candidate = unkScore + baseScore
                        if best[e].start == -1 || candidate > best[e].score {
                            best[e] = BestNode(score: candidate, start: Int32(start), id: unkId)
                        }
                    }
                    start += charLength
                }
            }
            var end = n
            while end > 0 {
                let node = best[end]
                out.append(Segment(start: node.start, end: Int32(end), id: node.id))
                end = Int(node.start)
            }
            out.reverse()
        }
    }

    // MARK: - Lattice (n-best and sampling)

    /// sentencepiece's `Lattice` after `PopulateNodes`: nodes on character positions, listed in
    /// the order sentencepiece inserts them (which decides ties).
    struct Lattice {
        /// Byte offset of each character, plus the text length.
        var surface: [Int] = []
        var length: Int { surface.count - 1 }
        var pos: [Int32] = []      // first character
        var chars: [Int32] = []    // length in characters
        var id: [Int32] = []
        var score: [Float] = []
        var backtrace: [Float] = []
        var prev: [Int32] = []
        var beginNodes: [[Int32]] = []
        var endNodes: [[Int32]] = []
        static let bos: Int32 = 0
        static let eos: Int32 = 1

        mutating func insert(pos p: Int, chars c: Int, id i: Int32, score s: Float) {
            let node = Int32(id.count)
            pos.append(Int32(p)); chars.append(Int32(c)); id.append(i); score.append(s)
            backtrace.append(0); prev.append(-1)
            beginNodes[p].append(node)
            endNodes[p + c].append(node)
        }

        func segment(_ node: Int32) -> Segment {
            let p = Int(pos[Int(node)])
            return Segment(start: Int32(surface[p]), end: Int32(surface[p + Int(chars[Int(node)])]), id: id[Int(node)])
        }
    }

    /// Builds the lattice of `text` (`Lattice::SetSentence` + `Model::PopulateNodes`).
    func lattice(_ text: UnsafeBufferPointer<UInt8>) -> Lattice {
        var l = Lattice()
        let n = text.count
        var i = 0
        while i < n {
            l.surface.append(i)
            i += min(oneCharLength(text[i]), n - i)
        }
        l.surface.append(n)
        let len = l.length
        l.beginNodes = Array(repeating: [], count: len + 1)
        l.endNodes = Array(repeating: [], count: len + 1)
        // BOS and EOS.
        l.pos = [0, Int32(len)]; l.chars = [0, 0]; l.id = [-1, -1]; l.score = [0, 0]
        l.backtrace = [0, 0]; l.prev = [-1, -1]
        l.endNodes[0].append(Lattice.bos)
        l.beginNodes[len].append(Lattice.eos)

        trie.withNodes { trie in
            for beginPos in 0 ..< len {
                var hasSingle = false
                var s: Int32 = 0
                var k = l.surface[beginPos]
                var endPos = beginPos  // the character position at byte k
                while k < n {
                    s = trie.child(s, text[k])
                    if s < 0 { break }
                    k += 1
                    while l.surface[endPos] < k { endPos += 1 }
                    let id = trie[s].value
                    if id < 0 { continue }
                    let length = endPos - beginPos
                    if length <= 0 { continue }
                    let score = kinds[Int(id)] == 1 ? UnigramModel.userDefinedScore(length) : vocab.scores[Int(id)]
                    l.insert(pos: beginPos, chars: length, id: id, score: score)
                    if length == 1 { hasSingle = true }
                }
                if !hasSingle { l.insert(pos: beginPos, chars: 1, id: vocab.unkId, score: unkScore) }
            }
        }
        return l
    }

    /// `Lattice::Viterbi`: fills `backtrace` and `prev`; returns the best path (without BOS/EOS).
    @discardableResult
    func viterbi(_ l: inout Lattice) -> [Int32] {
        let len = l.length
        for pos in 0 ... len {
            for r in l.beginNodes[pos] {
                var bestScore: Float = 0
                var bestNode: Int32 = -1
                for left in l.endNodes[pos] {
                    let score = l.backtrace[Int(left)] + l.score[Int(r)]
                    if bestNode < 0 || score > bestScore {
                        bestNode = left
                        bestScore = score
                    }
                }
                l.prev[Int(r)] = bestNode
                l.backtrace[Int(r)] = bestScore
            }
        }
        var path: [Int32] = []
        var node = l.prev[Int(Lattice.eos)]
        while node >= 0 && l.prev[Int(node)] >= 0 {
            path.append(node)
            node = l.prev[Int(node)]
        }
        return path.reversed()
    }

    private struct Hypothesis: HeapOrdered {
        var fx: Float
        var index: Int32
        static func heapLess(_ a: Hypothesis, _ b: Hypothesis) -> Bool { a.fx < b.fx }
    }

    /// The `n` best segmentations, best first, with their scores (`Model::NBestEncode`: A* search
    /// from EOS with the Viterbi scores as the exact heuristic). `n` is clamped to 1...1024.
    func nbest(_ text: UnsafeBufferPointer<UInt8>, _ n: Int) -> [(segments: [Segment], score: Float)] {
        guard text.count > 0 else { return [([], 0)] }
        let n = max(1, min(n, 1024))
        if n == 1 {
            var out: [Segment] = []
            encode(text, into: &out)
            return [(out, 0)]
        }
        var l = lattice(text)
        viterbi(&l)
        // Hypotheses as parallel arrays; `next` links towards EOS.
        var hypNode: [Int32] = [Lattice.eos], hypNext: [Int32] = [-1], hypGx: [Float] = [0]
        var agenda = StdPriorityQueue<Hypothesis>()
        agenda.push(Hypothesis(fx: l.backtrace[Int(Lattice.eos)], index: 0))
        var results: [(segments: [Segment], score: Float)] = []
        while let top = agenda.pop() {
            let h = Int(top.index)
            let node = hypNode[h]
            if node == Lattice.bos {
                var path: [Segment] = []
                var k = hypNext[h]
                while k >= 0 && hypNext[Int(k)] >= 0 {
                    path.append(l.segment(hypNode[Int(k)]))
                    k = hypNext[Int(k)]
                }
                results.append((path, top.fx))
                if results.count == n { break }
                continue
            }
            for left in l.endNodes[Int(l.pos[Int(node)])] {
                let gx = hypGx[h]
                hypNode.append(left)
                hypNext.append(Int32(h))
                hypGx.append(l.score[Int(left)] + gx)
                agenda.push(Hypothesis(fx: l.backtrace[Int(left)] + gx, index: Int32(hypNode.count - 1)))
            }
            // sentencepiece keeps the agenda small on long or repetitive input.
            if agenda.count >= 10_000 {
                var kept = StdPriorityQueue<Hypothesis>()
                for _ in 0 ..< min(512, n * 10) {
                    if let t = agenda.pop() { kept.push(t) }
                }
                agenda = kept
            }
        }
        return results
    }

    /// log(exp(x) + exp(y)) as sentencepiece's LogSumExp (`y` alone in init mode).
    @inline(__always) private static func logSumExp(_ x: Float, _ y: Float, _ initMode: Bool) -> Float {
        if initMode { return y }
        let vmin = min(x, y), vmax = max(x, y)
        if vmax > vmin + 50 { return vmax }
        return Float(Double(vmax) + log(exp(Double(vmin - vmax)) + 1.0))
    }

    /// One segmentation drawn from P(x) ∝ exp(theta · score(x)) (`Lattice::Sample`: forward
    /// filtering, then backward sampling from EOS). `theta` is sentencepiece's `alpha`.
    func sample<G: RandomNumberGenerator>(_ text: UnsafeBufferPointer<UInt8>, theta: Float, using generator: inout G) -> [Segment] {
        guard text.count > 0 else { return [] }
        let l = lattice(text)
        let len = l.length
        var alpha = [Float](repeating: 0, count: l.id.count)
        for pos in 0 ... len {
            for r in l.beginNodes[pos] {
                let lefts = l.endNodes[pos]
                for left in lefts {
                    alpha[Int(r)] = UnigramModel.logSumExp(alpha[Int(r)], theta * l.score[Int(left)] + alpha[Int(left)],
                                                           left == lefts[0])
                }
            }
        }
        var path: [Segment] = []
        var probs: [Double] = []
        var z = alpha[Int(Lattice.eos)]
        var node = Lattice.eos
        while true {
            let lefts = l.endNodes[Int(l.pos[Int(node)])]
            probs.removeAll(keepingCapacity: true)
            var total = 0.0
            for left in lefts {
                let p = exp(Double(alpha[Int(left)] + theta * l.score[Int(left)] - z))
                probs.append(p)
                total += p
            }
            var u = Double.random(in: 0 ..< 1, using: &generator) * total
            var choice = lefts.count - 1
            for (i, p) in probs.enumerated() {
                if u < p { choice = i; break }
                u -= p
            }
            node = lefts[choice]
            if node == Lattice.bos { break }
            z = alpha[Int(node)]
            path.append(l.segment(node))
        }
        return path.reversed()
    }
}
