import Data
import Layers
import Models
import Tensors
import Testing

/// Constrained decoding of linearized trees: whatever the model's scores (random, untrained), every
/// finished hypothesis of beam search and greedy decoding is a well-formed tree over exactly the
/// sentence's words.
@Suite struct TreeConstraintTests {
    /// Target tokens: end of sentence, brackets of four labels, two preterminal tokens, and ids the
    /// model may score but a tree never uses.
    static let vocabulary = ["<eos>", "(S", ")S", "(NP", ")NP", "(VP", ")VP", "(PP", ")PP", "XX", "NN"]
        + (0..<21).map { "<w\($0)>" }

    @Test func everyDecodedSequenceIsAWellFormedTreeOverTheWords() throws {
        let config = TransformerConfig(dModel: 16, heads: 2, ffnDim: 32, encoderLayers: 1, decoderLayers: 2,
                                       vocabSize: Self.vocabulary.count, maxLength: 96, dropout: 0)
        var g = RandomGenerator(seed: 11)
        for seed in 0..<3 {
            let model = EncoderDecoder(config, seed: UInt64(seed))
            // Sentences of 1 to 14 words, each word one or two source pieces.
            let counts = (0..<12).map { _ in 1 + Int(g.next() % 14) }
            let sources: [[Int32]] = counts.map { n in
                (0..<(n + Int(g.next() % UInt64(n + 1)))).map { _ in Int32(11 + g.next() % 21) } + [0]
            }
            var search = BeamSearch(beamSize: 4, lengthPenalty: 0.6, maxExtraLength: 40, bos: 0, eos: 0, pad: 0)
            search.constraint = TreeConstraint(vocabulary: Self.vocabulary, end: 0, wordCounts: counts)
            for hypotheses in [search(model, sources: sources), search.greedy(model, sources: sources)] {
                for (n, h) in zip(counts, hypotheses) {
                    let tokens = h.tokens.map { Self.vocabulary[Int($0)] }
                    let words = (0..<n).map { "w\($0)" }
                    let tree = try ParseTree(linearized: tokens, words: words)
                    #expect(tree.words == words, "\(tokens.joined(separator: " "))")
                    #expect(h.logProbability.isFinite)
                }
            }
        }
    }

    /// Without a constraint an untrained model's outputs are not trees (so the test above can fail).
    @Test func unconstrainedOutputsOfAnUntrainedModelAreNotTrees() {
        let config = TransformerConfig(dModel: 16, heads: 2, ffnDim: 32, encoderLayers: 1, decoderLayers: 2,
                                       vocabSize: Self.vocabulary.count, maxLength: 96, dropout: 0)
        let model = EncoderDecoder(config, seed: 1)
        let search = BeamSearch(beamSize: 4, lengthPenalty: 0.6, maxExtraLength: 40, bos: 0, eos: 0, pad: 0)
        let sources: [[Int32]] = (1...8).map { n in (0..<n).map { Int32(11 + $0) } + [0] }
        let malformed = zip(1...8, search(model, sources: sources)).filter { n, h in
            (try? ParseTree(linearized: h.tokens.map { Self.vocabulary[Int($0)] }, words: (0..<n).map { "w\($0)" })) == nil
        }
        #expect(!malformed.isEmpty)
    }

    /// The constraint itself: at the start only brackets open; the end only once the words are
    /// used and every bracket closed; never a close of another label or of an empty constituent.
    @Test func allowedTokensFollowTheGrammarOfBrackets() {
        let c = TreeConstraint(vocabulary: Self.vocabulary, end: 0, wordCounts: [2])
        func names(_ prefix: [String], remaining: Int = 50) -> Set<String> {
            let ids = prefix.map { Int32(Self.vocabulary.firstIndex(of: $0)!) }
            return Set(c.allowed(sentence: 0, prefix: ids, remaining: remaining).map { Self.vocabulary[Int($0)] })
        }
        #expect(names([]) == ["(S", "(NP", "(VP", "(PP"])
        #expect(names(["(S"]) == ["(S", "(NP", "(VP", "(PP", "XX", "NN"])
        #expect(names(["(S", "(NP", "XX"]) == ["(S", "(NP", "(VP", "(PP", "XX", "NN", ")NP"])
        #expect(names(["(S", "(NP", "XX", "XX"]) == [")NP"])
        #expect(names(["(S", "(NP", "XX", "XX", ")NP", ")S"]) == ["<eos>"])
        // Four tokens left after "(S (NP XX": a word or a close, then the rest just fits; no new bracket.
        #expect(names(["(S", "(NP", "XX"], remaining: 4) == ["XX", "NN", ")NP"])
    }
}
