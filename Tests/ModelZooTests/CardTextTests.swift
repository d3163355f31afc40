import Testing
@testable import ModelZoo

@Suite struct CardTextTests {
    static let card = """
        # tiny

        | | |
        |---|---|
        | task | translation |
        | test bleu | 12.34 |

        ## Recipe

        ```yaml
        # a recipe's comment, not a heading
        name: tiny
        ```

        ## Use
        """

    /// A card nested under another (an int8 entry's) has its headings one level deeper, and the
    /// recipe in its fenced block byte for byte, comments included.
    @Test func demotingLeavesFencedCodeAsItIs() {
        let nested = CardText(Self.card).demoted
        #expect(nested.hasPrefix("## tiny\n"))
        #expect(nested.contains("\n### Recipe\n") && nested.hasSuffix("\n### Use"))
        #expect(nested.contains("```yaml\n# a recipe's comment, not a heading\nname: tiny\n```"))
        #expect(CardText(nested).facts.map(\.0) == ["task", "test bleu"])
    }

    @Test func factsAreTheFirstTwoColumnTable() {
        let text = CardText(Self.card)
        #expect(text.fact("test bleu") == "12.34")
        #expect(text.fact("recipe") == nil)
    }
}
