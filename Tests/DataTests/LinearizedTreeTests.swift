import Foundation
import Testing
import Data

/// Vinyals et al.'s linearization: the tokens, the rebuilt tree on every tree of the CRAFT sample,
/// and the errors of sequences that make no tree.
@Suite struct LinearizedTreeTests {
    static let tree = Treebank.normalized(
        try! Treebank.parse("( (S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (NP (-NONE- *))) (. .)) )")[0])!

    @Test func tokensAsInThePaper() {
        #expect(Self.tree.linearized(tags: false).joined(separator: " ") == "(S (NP XX XX )NP (VP XX )VP XX )S")
        #expect(Self.tree.linearized(tags: true).joined(separator: " ") == "(S (NP DT NN )NP (VP VBD )VP . )S")
        // Without a TOP root the root is in the sequence.
        #expect(Self.tree.children[0].children[0].linearized(tags: false) == ["(NP", "XX", "XX", ")NP"])
    }

    @Test func rebuildsWithTheWords() throws {
        let words = ["The", "cat", "sat", "."]
        #expect(try ParseTree(linearized: Self.tree.linearized(tags: true), words: words) == Self.tree)
        let untagged = try ParseTree(linearized: Self.tree.linearized(tags: false), words: words)
        #expect(untagged.bracketed == "(TOP (S (NP (XX The) (XX cat)) (VP (XX sat)) (XX .)))")
        // Several constituents under TOP, and a bare preterminal.
        #expect(try ParseTree(linearized: ["(S", "XX", ")S", "(S", "XX", ")S"], words: ["a", "b"]).bracketed
            == "(TOP (S (XX a)) (S (XX b)))")
        #expect(try ParseTree(linearized: ["NN"], words: ["x"]).bracketed == "(TOP (NN x))")
    }

    /// Every tree of the CRAFT sample: linearized with tags, rebuilt, the same tree; without tags,
    /// the same tree with XX for every tag.
    @Test func roundTripsEveryTreeOfTheCRAFTSample() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/craft-sample")
        let craft = try CRAFT(directory: sample.path)
        let trees = craft.splits.flatMap(\.trees)
        #expect(trees.count == 195)
        for tree in trees {
            let tokens = tree.linearized(tags: true)
            #expect(tokens.filter { !$0.hasPrefix("(") && !$0.hasPrefix(")") } == tree.tags)
            #expect(try ParseTree(linearized: tokens, words: tree.words) == tree, "\(tree.bracketed)")
            let untagged = try ParseTree(linearized: tree.linearized(tags: false), words: tree.words)
            #expect(untagged.words == tree.words && untagged.spans.map(\.label) == tree.spans.map(\.label))
            #expect(untagged.tags.allSatisfy { $0 == "XX" })
        }
    }

    @Test(arguments: [
        ([String](), ["a"], "linearized tree: an empty sequence"),
        (["(S", "XX"], ["a"], "linearized tree, token 1: '(S' is never closed (unbalanced brackets)"),
        (["(S", "(NP", "XX", ")NP"], ["a"], "linearized tree, token 1: '(S' is never closed (unbalanced brackets)"),
        (["(S", "XX", ")S", ")S"], ["a"], "linearized tree, token 4: ')S' closes nothing (unbalanced brackets)"),
        ([")S"], ["a"], "linearized tree, token 1: ')S' closes nothing (unbalanced brackets)"),
        (["(S", "(NP", "XX", ")VP", ")S"], ["a"], "linearized tree, token 4: ')VP' closes '(NP' of token 2"),
        (["(S", "XX", ")"], ["a"], "linearized tree, token 3: ')' closes '(S' of token 1"),
        (["(S", "XX", "XX", ")S"], ["a"], "linearized tree, token 3: more preterminals than the 1 word"),
        (["(S", "XX", ")S"], ["a", "b"], "linearized tree: 1 preterminal for 2 words"),
        (["(S", "(NP", ")NP", "XX", ")S"], ["a"], "linearized tree, token 3: '(NP' of token 2 is empty"),
        (["(", "XX", ")"], ["a"], "linearized tree, token 1: '(' without a label"),
        (["(S", "", ")S"], ["a"], "linearized tree, token 2: an empty token"),
    ])
    func malformedSequencesAreOneError(_ tokens: [String], _ words: [String], _ expected: String) {
        let error = thrown(LinearizedTreeError.self) { _ = try ParseTree(linearized: tokens, words: words) }
        #expect(error?.description == expected)
    }
}
