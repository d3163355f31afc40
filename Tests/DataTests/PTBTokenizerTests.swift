import Foundation
import Testing
import Data

/// The Penn Treebank tokenizer against NLTK's TreebankWordTokenizer on the texts of
/// Tests/Fixtures/ptb-tokenizer/cases.json (make_ptb_tokenizer_fixture.py), and the conventions
/// written out by hand.
@Suite struct PTBTokenizerTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var text: String
            var tokens: [String]
            var convert_parentheses: Bool?
        }
        var nltk: String
        var cases: [Case]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/ptb-tokenizer/cases.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    @Test func fixtureHasTheCases() {
        #expect(Self.fixture.cases.count >= 12)
    }

    @Test(arguments: Self.fixture.cases.indices)
    func matchesNLTK(_ index: Int) {
        let c = Self.fixture.cases[index]
        let tokenizer = PTBTokenizer(convertBrackets: c.convert_parentheses ?? true)
        #expect(tokenizer.tokenize(c.text) == c.tokens, "\(c.text)")
    }

    /// The conventions, by hand: a failure here names the rule.
    @Test func conventions() {
        let t = PTBTokenizer()
        #expect(t.tokenize("Don't split 3.88 or well-known words.") == ["Do", "n't", "split", "3.88", "or", "well-known", "words", "."])
        #expect(t.tokenize("\"Quoted,\" he said.") == ["``", "Quoted", ",", "''", "he", "said", "."])
        #expect(t.tokenize("We're sure it's John's.") == ["We", "'re", "sure", "it", "'s", "John", "'s", "."])
        #expect(t.tokenize("a (b) [c] {d}") == ["a", "-LRB-", "b", "-RRB-", "-LSB-", "c", "-RSB-", "-LCB-", "d", "-RCB-"])
        #expect(t.tokenize("Dr. Smith arrived.") == ["Dr.", "Smith", "arrived", "."])
        #expect(t.tokenize("") == [])
        #expect(t.tokenize("  \n ") == [])
    }

    /// Whatever the text, no token is empty or holds whitespace, and the letters are kept.
    @Test func tokensAreNeverEmptyAndKeepTheLetters() {
        for c in Self.fixture.cases {
            let tokens = PTBTokenizer().tokenize(c.text)
            #expect(tokens.allSatisfy { !$0.isEmpty && !$0.contains(where: \.isWhitespace) })
            let letters = { (s: String) in s.filter(\.isLetter) }
            let bracketNames = Set(["-LRB-", "-RRB-", "-LSB-", "-RSB-", "-LCB-", "-RCB-"])
            #expect(letters(tokens.filter { !bracketNames.contains($0) }.joined()) == letters(c.text), "\(c.text)")
        }
    }
}
