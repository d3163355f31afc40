import Foundation
import Testing

/// `zoo generate` on the shipped gpt-kjv: what ends a continuation.
@Suite struct GenerateCLITests {
    let cli = ZooCLITests()

    func ids(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [Int] {
        let r = try cli.run(arguments)
        #expect(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
        let object = try #require(try JSONLinesCLITests.objects(r.stdout, sourceLocation: sourceLocation).first, sourceLocation: sourceLocation)
        return try #require(object["ids"] as? [Int], "\(r.stdout)", sourceLocation: sourceLocation)
    }

    /// gpt-kjv ends each verse with its end-of-text token: by default (and with --stop-at-eos) a
    /// greedy continuation stops there, well before --max-tokens; with --no-stop-at-eos the same
    /// tokens come and generation goes on to --max-tokens new tokens.
    @Test func endOfTextStopsByDefaultAndNoStopAtEosGoesOn() throws {
        let common = ["generate", "--model", "gpt-kjv", "--prompt", "And God said", "--temperature", "0", "--max-tokens", "80", "--json"]
        let byDefault = try ids(common), stopping = try ids(common + ["--stop-at-eos"]), goingOn = try ids(common + ["--no-stop-at-eos"])
        #expect(byDefault == stopping)
        #expect(!byDefault.isEmpty && byDefault.count < 80, "\(byDefault)")
        #expect(goingOn.count == 80)
        #expect(Array(goingOn.prefix(byDefault.count)) == byDefault)
    }
}
