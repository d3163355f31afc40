import Foundation

/// sentencepiece's unigram trainer (unigram_model_trainer.cc, Kudo 2018):
///
/// 1. seed pieces: every character of the alphabet plus the `seedSentencepieceSize` substrings
///    with the highest frequency × length, taken from the internal nodes of the corpus' suffix
///    tree (repeated substrings that are valid pieces);
/// 2. EM over the words (or sentences): the E step sums each piece's expected count over all
///    segmentations (forward-backward on the lattice), the M step re-estimates log probabilities
///    with a digamma (Bayesian, sparse-prior) update and drops pieces expected less than 0.5 times;
/// 3. after `numSubIterations` EM steps, prune: keep the `shrinkingFactor` share of pieces whose
///    removal would cost the corpus likelihood most, until the vocabulary is 1.1 × its target;
/// 4. final vocabulary: the alphabet, then the highest-scoring pieces up to the vocabulary size.
///
/// E steps and Viterbi passes run on `numThreads` shards of the words at once.
struct UnigramTrainer {
    let base: TrainerInterface
    private var options: TrainerOptions { base.options }

    init(base: TrainerInterface) { self.base = base }

    func train() throws -> [(piece: [UInt32], score: Float)] {
        let clock = TrainerInterface.ProgressClock(verbose: options.verbose)
        var model = TrainerModel(pieces: makeSeedPieces())
        clock.log("seed pieces: \(model.pieces.count)")

        let (words, freqs) = options.splitByWhitespace
            ? base.wordsWithFrequencies() : (base.sentences, base.frequencies)
        clock.log("EM over \(words.count) \(options.splitByWhitespace ? "words" : "sentences")")
        let corpus = FlatTexts(words)

        let desiredVocabSize = Int(Double(options.vocabSize) * 1.1)
        while true {
            for iter in 0..<options.numSubIterations {
                let (expected, objective, tokens) = eStep(model, corpus, freqs)
                model = TrainerModel(pieces: mStep(model, expected))
                clock.log("EM sub_iter=\(iter) size=\(model.pieces.count) obj=\(objective) num_tokens=\(tokens)")
            }
            if model.pieces.count <= desiredVocabSize { break }
            model = TrainerModel(pieces: prune(model, corpus, freqs))
            clock.log("pruned to \(model.pieces.count)")
        }
        return try finalize(model)
    }

    // MARK: Seed pieces

    /// MakeSeedSentencePieces: the alphabet (by count) followed by the best repeated substrings.
    func makeSeedPieces() -> PieceList {
        let sentences = base.sentences
        let freqs = base.frequencies
        // All sentences in one array, separated by 0; symbols renamed to dense ranks (order kept).
        var rank = [Int32](repeating: 0, count: 0x110000)
        var total = 0
        for s in sentences {
            for c in s { rank[Int(c)] = 1 }
            total += s.count + 1
        }
        var symbols: [UInt32] = [0]
        for c in 1..<rank.count where rank[c] != 0 {
            rank[c] = Int32(symbols.count)
            symbols.append(UInt32(c))
        }
        var text = [Int32]()
        text.reserveCapacity(total)
        var rankCounts = [Int64](repeating: 0, count: symbols.count)
        rank.withUnsafeBufferPointer { rank in
            for (s, f) in zip(sentences, freqs) {
                for c in s {
                    let r = rank[Int(c)]
                    text.append(r)
                    rankCounts[Int(r)] += f
                }
                text.append(0)
            }
        }
        var charCounts: [UInt32: Int64] = [:]
        for r in 1..<symbols.count where symbols[r] != TrainerInterface.unknownChar {
            charCounts[symbols[r]] = rankCounts[r]
        }

        let clock = TrainerInterface.ProgressClock(verbose: options.verbose)
        let sa = SuffixArray.build(text, alphabetSize: symbols.count)
        clock.log("suffix array of \(text.count) characters")

        // Valid repeated substrings, scored by frequency × length (sentencepiece's "character-wise
        // coverage"), ties broken by the node's position in esaxx's walk.
        struct Candidate { var score: Int64; var ordinal: Int32; var offset: Int32; var length: Int32 }
        var candidates: [Candidate] = []
        let maxLength = Int32(options.maxSentencepieceLength)
        var ordinal: Int32 = 0
        let prefixes = options.seedValidPrefixes
        var piece = [UInt32](repeating: 0, count: Int(maxLength))
        text.withUnsafeBufferPointer { t in
            sa.withUnsafeBufferPointer { s in
                SuffixArray.forEachInternalNode(text: text, sa: sa) { node in
                    defer { ordinal += 1 }
                    var length = node.depth
                    if prefixes && length <= maxLength {
                        // The longest valid prefix longer than the parent's string (shorter ones
                        // belong to ancestors), e.g. "▁This" for a node "▁This▁" that is invalid.
                        let offset = Int(s[Int(node.left)])
                        var k = 0
                        while k < Int(length) && t[offset + k] != 0 {
                            piece[k] = symbols[Int(t[offset + k])]
                            k += 1
                        }
                        length = Int32(k)
                        while length > node.parentDepth && !base.isValidPiece(piece[0..<Int(length)]) { length -= 1 }
                        if length <= node.parentDepth { return }
                    }
                    if length <= 1 || length > maxLength { return }
                    let offset = Int(s[Int(node.left)])
                    for k in 0..<Int(length) {
                        let r = t[offset + k]
                        if r == 0 { return }  // crosses a sentence boundary
                        piece[k] = symbols[Int(r)]
                    }
                    if !base.isValidPiece(piece[0..<Int(length)]) { return }
                    let freq = Int64(node.right - node.left)
                    candidates.append(Candidate(score: freq * Int64(length), ordinal: ordinal,
                                                offset: Int32(offset), length: length))
                }
            }
        }
        clock.log("\(candidates.count) candidate substrings")
        // BoundedPriorityQueue: the best seedSentencepieceSize by (score desc, node order asc).
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.ordinal < $1.ordinal }
        if candidates.count > options.seedSentencepieceSize {
            candidates.removeLast(candidates.count - options.seedSentencepieceSize)
        }

        var seeds = PieceList()
        let chars = charCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (c, n) in chars { seeds.append(CollectionOfOne(c), score: Float(n)) }
        for cand in candidates {
            let o = Int(cand.offset)
            seeds.append(text[o..<(o + Int(cand.length))].lazy.map { symbols[Int($0)] }, score: Float(cand.score))
        }
        // ToLogProb (the sum is a float, as in sentencepiece).
        var sum: Float = 0
        for s in seeds.scores { sum += s }
        let logSum = Float(log(Double(sum)))
        for i in seeds.scores.indices { seeds.scores[i] = Float(log(Double(seeds.scores[i]))) - logSum }
        return seeds
    }

    // MARK: EM

    /// RunEStep: expected piece counts over all segmentations, the objective (negative mean log
    /// likelihood per sentence) and the number of Viterbi tokens.
    func eStep(_ model: TrainerModel, _ corpus: FlatTexts, _ freqs: [Int64]) -> ([Float], Float, Int) {
        let threads = options.numThreads
        let allFreq = Float(freqs.reduce(0, +))
        let n = model.pieces.count
        let shards: [(expected: [Float], objective: Float, tokens: Int)] = TrainerInterface.parallelStrided(threads: threads) { t in
            var expected = [Float](repeating: 0, count: n)
            var objective: Float = 0
            var tokens = 0
            var lattice = Lattice()
            expected.withUnsafeMutableBufferPointer { e in
                for i in stride(from: t, to: corpus.count, by: threads) {
                    corpus.withText(i) { text in
                        lattice.build(text, model)
                        let z = lattice.addMarginals(freq: Float(freqs[i]), into: e.baseAddress!)
                        tokens += lattice.viterbi().count
                        objective -= z / allFreq
                    }
                }
            }
            return (expected, objective, tokens)
        }
        var expected = shards[0].expected
        var objective = shards[0].objective
        var tokens = shards[0].tokens
        for s in shards.dropFirst() {
            objective += s.objective
            tokens += s.tokens
            for k in 0..<n { expected[k] += s.expected[k] }
        }
        return (expected, objective, tokens)
    }

    /// RunMStep: drop pieces expected fewer than 0.5 times; score = ψ(count) − ψ(total), the
    /// Bayesian ("DPified") EM update that acts as a sparse prior.
    func mStep(_ model: TrainerModel, _ expected: [Float]) -> PieceList {
        var next = PieceList()
        var sum: Float = 0
        for i in 0..<model.pieces.count where expected[i] >= 0.5 {
            next.append(model.pieces.piece(i), score: expected[i])
            sum += expected[i]
        }
        let logSum = Float(digamma(Double(sum)))
        for i in next.scores.indices {
            next.scores[i] = Float(digamma(Double(next.scores[i])) - Double(logSum))
        }
        return next
    }

    // MARK: Pruning

    /// PruneSentencePieces: estimate for each piece how much the likelihood drops if its
    /// occurrences are re-segmented by its second-best segmentation, and keep the
    /// `shrinkingFactor` share that would cost most (pieces without alternative are always kept).
    func prune(_ model: TrainerModel, _ corpus: FlatTexts, _ freqs: [Int64]) -> PieceList {
        let pieces = model.pieces
        let n = pieces.count
        let threads = options.numThreads

        // 1. How each piece would be segmented without itself: its second-best segmentation.
        let alternativeShards: [[(Int, Bool, [Int32])]] = TrainerInterface.parallelStrided(threads: threads) { t in
            var lattice = Lattice()
            var out: [(Int, Bool, [Int32])] = []
            for i in stride(from: t, to: n, by: threads) {
                pieces.withPiece(i) { text in
                    lattice.build(text, model)
                    let (best, second) = lattice.twoBest()
                    if second == nil {
                        out.append((i, true, []))  // no other segmentation: always keep
                    } else if best.count >= 2 {
                        out.append((i, false, []))  // not even its own best segmentation: removable
                    } else {
                        let alternative = second!.filter { $0 >= 0 }  // unknown characters have no piece
                        out.append((i, true, alternative))
                    }
                }
            }
            return out
        }
        var alwaysKeep = [Bool](repeating: true, count: n)
        var alternatives = [[Int32]](repeating: [], count: n)
        for shard in alternativeShards {
            for (i, keep, alt) in shard {
                alwaysKeep[i] = keep
                alternatives[i] = alt
            }
        }

        // 2. Viterbi counts of every piece over the corpus.
        let countShards: [(freq: [Float], vsum: Float)] = TrainerInterface.parallelStrided(threads: threads) { t in
            var freq = [Float](repeating: 0, count: n)
            var vsum: Float = 0
            var lattice = Lattice()
            for i in stride(from: t, to: corpus.count, by: threads) {
                corpus.withText(i) { text in
                    lattice.build(text, model)
                    let f = Float(freqs[i])
                    vsum += f
                    for id in lattice.viterbi() where id >= 0 { freq[Int(id)] += f }
                }
            }
            return (freq, vsum)
        }
        var freq = countShards[0].freq
        var vsum = countShards[0].vsum
        for s in countShards.dropFirst() {
            vsum += s.vsum
            for k in 0..<n { freq[k] += s.freq[k] }
        }

        // 3. The loss of removing each piece. Pieces in the Viterbi path of a sentence count once
        // per occurrence, so sentencepiece's inverted-index sum F equals freq[i] / vsum.
        let sum = freq.reduce(Float(0), +)
        let logSum = Float(log(Double(sum)))
        var kept = PieceList()
        var candidates: [(index: Int, loss: Float)] = []
        for i in 0..<n {
            if freq[i] == 0 || !alwaysKeep[i] { continue }
            if alternatives[i].isEmpty {
                kept.append(pieces.piece(i), score: pieces.scores[i])
                continue
            }
            let f = freq[i] / vsum
            let logProbPiece = Float(log(Double(freq[i]))) - logSum
            let logSumAlt = Float(log(Double(sum + freq[i] * Float(alternatives[i].count - 1))))
            var logProbAlt: Float = 0
            for a in alternatives[i] {
                logProbAlt += Float(log(Double(freq[Int(a)] + freq[i]))) - logSumAlt
            }
            candidates.append((i, f * (logProbPiece - logProbAlt)))
        }
        let prunedSize = max(Int(Double(options.vocabSize) * 1.1),
                             Int(Float(options.shrinkingFactor) * Float(n)))
        candidates.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.index < $1.index }
        for c in candidates {
            if kept.count == prunedSize { break }
            kept.append(pieces.piece(c.index), score: pieces.scores[c.index])
        }
        return kept
    }

    // MARK: Final vocabulary

    /// FinalizeSentencePieces: every alphabet character (a missing one gets the lowest score plus
    /// a small, growing penalty so they differ), then the best-scoring pieces, sorted by score.
    func finalize(_ model: TrainerModel) throws -> [(piece: [UInt32], score: Float)] {
        let pieces = model.pieces
        var final: [[UInt32]: Float] = [:]
        var current: [[UInt32]: Float] = [:]
        for i in 0..<pieces.count { current[Array(pieces.piece(i))] = pieces.scores[i] }
        var penalty: Float = 0
        for (c, _) in base.requiredChars {
            let key = [c]
            if let s = current[key] {
                final[key] = s
            } else {
                final[key] = model.minScore + penalty
                penalty += 0.0001
            }
        }
        let room = options.vocabSize - base.metaPieces.count
        guard room > 0 else {
            throw TrainerError.vocabularyTooSmall(vocabSize: options.vocabSize, needed: base.metaPieces.count + 1)
        }
        let byScore = (0..<pieces.count).sorted { a, b in
            let sa = pieces.scores[a], sb = pieces.scores[b]
            return sa != sb ? sa > sb : pieces.piece(a).lexicographicallyPrecedes(pieces.piece(b))
        }
        for i in byScore {
            let key = Array(pieces.piece(i))
            if final[key] != nil { continue }
            if final.count == room { break }
            final[key] = pieces.scores[i]
        }
        return final.map { (piece: $0.key, score: $0.value) }.sorted { a, b in
            a.score != b.score ? a.score > b.score : a.piece.lexicographicallyPrecedes(b.piece)
        }
    }
}

/// The digamma function ψ, as sentencepiece computes it (recurrence to x ≥ 7, then the
/// asymptotic series).
private func digamma(_ x: Double) -> Double {
    var x = x
    var result = 0.0
    while x < 7 {
        result -= 1 / x
        x += 1
    }
    x -= 1.0 / 2.0
    let xx = 1.0 / x
    let xx2 = xx * xx
    let xx4 = xx2 * xx2
    result += log(x) + (1.0 / 24.0) * xx2 - (7.0 / 960.0) * xx4 + (31.0 / 8064.0) * xx4 * xx2
        - (127.0 / 30720.0) * xx4 * xx4
    return result
}
