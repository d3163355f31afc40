import Data
import Metrics
@testable import Tasks
import Testing

/// How parsers are scored: brackets with the gold tags in their trees (their own tags apart); a
/// halted EVALB gives no figure.
@Suite struct ParserScoreTests {
    static let gold = "(TOP (S (NP (DT The) (NN cat)) (VP (VBD sat) (PP (IN on) (NP (DT the) (NN mat)))) (. .)))"
    /// The gold brackets but for two tags: the full stop tagged NN (so EVALB keeps it, and counts
    /// the sentence as a length mismatch) and "sat" tagged VBZ.
    static let mistagged = "(TOP (S (NP (DT The) (NN cat)) (VP (VBZ sat) (PP (IN on) (NP (DT the) (NN mat)))) (NN .)))"

    @Test func retaggingKeepsTheBracketsAndReplacesEachTagInOrder() throws {
        let tree = try Treebank.parse(Self.mistagged)[0], gold = try Treebank.parse(Self.gold)[0]
        #expect(tree.retagged(gold.tags).bracketed == Self.gold)
        #expect(tree.retagged(gold.tags).spans.map(\.label) == tree.spans.map(\.label))
    }

    @Test func goldTagsKeepEVALBScoringBracketsWhereTheParsersOwnWouldHaltIt() throws {
        let gold = try Treebank.parse(String(repeating: Self.gold + "\n", count: 13))
        let parsed: [ParseTree?] = try Treebank.parse(String(repeating: Self.mistagged + "\n", count: 12)) + [nil]
        // EVALB on the parser's own tags halts (a dozen length mismatches); a score that had
        // halted gives no figure.
        let own = EVALB().score(gold: gold.map(\.bracketed), test: parsed.map { $0?.bracketed ?? "" })
        #expect(own.halted)
        var halted = ParserScore(gold: gold, parsed: parsed)
        halted.evalb = own
        #expect(halted.f1 == nil && halted.f1Cutoff == nil)
        #expect(halted.facts.map(\.0) == ["EVALB", "tagging accuracy (every word)"] && halted.facts[0].1.hasPrefix("halted after 12 errors"))

        let withGold = ParserScore(gold: gold, parsed: parsed)
        #expect(!withGold.evalb.halted && withGold.evalb.all.errorSentences == 0 && withGold.evalb.all.skipSentences == 1)
        #expect(withGold.f1 == 100 && withGold.f1Cutoff == 100)
        // Its own tags: 5 of 7 words right in each of the 12 parsed sentences.
        #expect(abs(try #require(withGold.tagAccuracy) - 100 * 5 / 7) < 1e-9)
        #expect(withGold.facts.map(\.0) == ["EVALB bracketing F1 (all)", "EVALB bracketing F1 (len ≤ 40)",
                                            "tagging accuracy (every word)"])
    }
}
