import Foundation
import Testing

/// `zoo parse` and `zoo eval` on a small chart parser that `zoo run` trains on the CRAFT sample:
/// one well-formed tree a line over exactly the input's words, Penn Treebank tokenization of raw
/// text, blank lines kept, SVG pictures, EVALB's summary, and a one-line error for a sentence
/// longer than the parser's context.
@Suite struct ParseCLITests {
    static func trainedParser() throws -> (zoo: URL, model: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-parse-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let sample = ZooCLITests.fixtures.appendingPathComponent("craft-sample/expected")
        let yaml = """
            name: cli-parser
            task: parsing
            data: {train: \(sample.path)/train.txt, validation: \(sample.path)/dev.txt, test: \(sample.path)/test.txt}
            tokenizer: {path: \(dir.path)/pieces.model, vocab_size: 400, character_coverage: 1.0, normalization: identity}
            model: {d_model: 32, heads: 2, layers: 1, ffn: 64, context: 96, dropout: 0.0, norm_first: true, positional: learned, span_hidden: 32}
            training: {steps: 60, batch_tokens: 1024, learning_rate: 3e-3, warmup: 5}
            evaluation: {every: 0, batches: 0}
            checkpoint: {every: 0}
            """
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("parser.yaml"))
        let model = dir.appendingPathComponent("Zoo/cli-parser")
        let r = try ZooCLITests().run(["run", dir.appendingPathComponent("parser.yaml").path, "--out", model.path,
                                       "--work", dir.appendingPathComponent("work").path])
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, model)
    }

    @Test func parsesTokenizedAndRawTextAndScoresWithEVALB() throws {
        let (dir, model) = try Self.trainedParser()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cli = ZooCLITests()

        // Tokenized input: a tree a line, exactly the given words, a blank line for a blank line.
        let sentences = ["Mice were analyzed in two strains .", "", "The volume of the striatum differs ."]
        let tokenized = try cli.run(["parse", "--model", model.path, "--tokenized"], input: sentences.joined(separator: "\n") + "\n")
        #expect(tokenized.status == 0, "\(tokenized.stderr)")
        let lines = tokenized.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == 3 && lines[1].isEmpty, "\(tokenized.stdout)")
        for (sentence, line) in zip(sentences, lines) where !sentence.isEmpty {
            #expect(line.hasPrefix("(TOP "), "\(line)")
            let words = line.split(separator: " ").filter { !$0.hasPrefix("(") }.map { $0.replacingOccurrences(of: ")", with: "") }
            #expect(words == sentence.split(separator: " ").map(String.init), "\(line)")
        }

        // Raw text is split into Penn Treebank tokens first.
        let raw = try cli.run(["parse", "--model", model.path, "The mice weren't (as expected) tested."])
        #expect(raw.status == 0 && raw.stdout.contains(" were)") && raw.stdout.contains(" n't)") && raw.stdout.contains(" -LRB-)") && raw.stdout.contains(" -RRB-)"),
                "\(raw.stdout)")

        // --json: the line, its words and its tree, for each line (blank for blank).
        let json = try cli.run(["parse", "--model", model.path, "--json"], input: "The mice weren't tested.\n\n")
        let objects = try JSONLinesCLITests.objects(json.stdout)
        try #require(objects.count == 2, "\(json.stdout)\(json.stderr)")
        #expect(objects[0]["input"] as? String == "The mice weren't tested." && objects[1]["input"] as? String == "")
        #expect(objects[0]["tokens"] as? [String] == ["The", "mice", "were", "n't", "tested", "."] && objects[1]["tokens"] as? [String] == [])
        #expect((objects[0]["output"] as? String)?.hasPrefix("(TOP ") == true && objects[1]["output"] as? String == "", "\(json.stdout)")

        // SVG pictures, one per tree.
        let pictures = dir.appendingPathComponent("trees")
        let svg = try cli.run(["parse", "--model", model.path, "--format", "svg", "--out", pictures.path, "Mice were analyzed."])
        #expect(svg.status == 0 && svg.stdout.isEmpty, "\(svg.stderr)")
        let picture = try String(contentsOf: pictures.appendingPathComponent("tree-1.svg"), encoding: .utf8)
        #expect(picture.hasPrefix("<svg") || picture.hasPrefix("<?xml"))
        #expect(picture.contains(">analyzed<"))

        // zoo eval prints EVALB's summary for the gold trees' words.
        let test = ZooCLITests.fixtures.appendingPathComponent("craft-sample/expected/test.txt")
        let eval = try cli.run(["eval", "--model", model.path, "--data", test.path])
        #expect(eval.status == 0 && eval.stdout.hasPrefix("=== Summary ===") && eval.stdout.contains("Bracketing FMeasure"), "\(eval.stdout)\(eval.stderr)")
        let evalJSONRun = try cli.run(["eval", "--model", model.path, "--data", test.path, "--json"])
        let evalJSON = try JSONLinesCLITests.objects(evalJSONRun.stdout)
        // The tiny parser may match no bracket: F1 is then not a number, null in JSON, "nan" in EVALB's report.
        let f1 = try #require((evalJSON.first?["metrics"] as? [String: Any])?["f1"], "\(evalJSONRun.stdout)\(evalJSONRun.stderr)")
        let line = eval.stdout.split(separator: "\n").first { $0.hasPrefix("Bracketing FMeasure ") }.map(String.init) ?? ""
        if let f1 = f1 as? Double {
            #expect(line.hasSuffix(String(format: "= %6.2f", f1)), "\(line) vs \(f1)")
        } else {
            #expect(f1 is NSNull && line.hasSuffix("nan"), "\(line) vs \(f1)")
        }

        // A sentence longer than the context (96 pieces) is one error line, not a crash.
        let long = Array(repeating: "striatum", count: 120).joined(separator: " ")
        let refused = try cli.run(["parse", "--model", model.path, "--tokenized", long])
        #expect(refused.status != 0 && refused.stdout.isEmpty)
        #expect(refused.stderr.hasPrefix("Error: sentence 1 (120 words) is longer than the parser's context of 96 pieces")
                    && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        // On standard input the error names the line, whichever batch it falls in, before any tree is printed.
        let piped = try cli.run(["parse", "--model", model.path, "--tokenized", "--batch-size", "2"],
                                input: "Mice were analyzed .\n\nThe volume differs .\n\(long)\n")
        ErrorLineCLITests.expectErrorLine(piped, status: 1, "stdin:4 (120 words) is longer than the parser's context of 96 pieces; split it")
        #expect(piped.stdout.isEmpty)

        // Invalid UTF-8 is refused with its line, not parsed as "caf".
        let latin1 = try TextInputCLITests.run(["parse", "--model", model.path], bytes: Data("Mice were analyzed.\n".utf8) + Data(TextInputCLITests.latin1Cafe + [0x0A]))
        ErrorLineCLITests.expectErrorLine(latin1, status: 1, "stdin:2: not valid UTF-8")
        let argument = try TextInputCLITests.run(["parse", "--model", model.path], rawLast: TextInputCLITests.latin1Cafe)
        ErrorLineCLITests.expectErrorLine(argument, status: 1, "argument 4:1: not valid UTF-8")
    }
}
