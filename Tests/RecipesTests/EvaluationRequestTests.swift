import Testing
@testable import Recipes

@Suite struct EvaluationRequestTests {
    /// The options that ask `zoo eval` for the same evaluation: the data, the decoding only where
    /// it is not the default, and words a shell would split or expand in single quotes.
    @Test func argumentsRepeatTheRequestForAShell() {
        var translation = EvaluationRequest()
        translation.source = "data/bible-en-es/test.en"
        translation.references = ["data/bible-en-es/test.es"]
        #expect(translation.arguments == "--src data/bible-en-es/test.en --ref data/bible-en-es/test.es")
        translation.beam = 1
        translation.lengthPenalty = 1
        translation.batchSize = 8
        #expect(translation.arguments.hasSuffix(" --beam 1 --length-penalty 1.0"))

        var images = EvaluationRequest()
        images.data = "my images/it's here"
        images.beam = 2  // not a translation: no decoding options
        #expect(images.arguments == "--data 'my images/it'\\''s here'")
        #expect(EvaluationRequest.shellQuoted("$HOME") == "'$HOME'" && EvaluationRequest.shellQuoted("") == "''")
    }
}
