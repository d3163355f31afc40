import Foundation
import Testing

/// `--json` on the model commands: JSON Lines, one object per input line, with the same field
/// names everywhere (input, output, label, probability, top, tokens, ids, metrics) and the same
/// content as the plain output. On the shipped bible-en-es and the tiny imported fixtures.
@Suite struct JSONLinesCLITests {
    let cli = ZooCLITests()

    /// Each line of `text` as a JSON object; every line must be one.
    static func objects(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        #expect(text.hasSuffix("\n"), "no final newline: \(text.debugDescription)", sourceLocation: sourceLocation)
        return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not an object: \($0)", sourceLocation: sourceLocation)
        }
    }

    static let known: Set = ["input", "output", "label", "probability", "top", "tokens", "ids", "metrics"]

    static func temporary(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-json-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func translateGivesInputAndOutputPerLine() throws {
        let input = "The house is small.\n\nIn the beginning.\n"
        let plain = try cli.run(["translate", "--model", "bible-en-es", "--beam", "1"], input: input)
        let json = try cli.run(["translate", "--model", "bible-en-es", "--beam", "1", "--json"], input: input)
        #expect(json.status == 0 && json.stderr.isEmpty, "\(json.stderr)")
        let objects = try Self.objects(json.stdout)
        #expect(objects.map { $0["input"] as? String } == ["The house is small.", "", "In the beginning."])
        #expect(objects.map { ($0["output"] as? String) ?? "?" } == TextInputCLITests.lines(plain.stdout))
        #expect(objects.allSatisfy { Set($0.keys) == ["input", "output"] }, "\(json.stdout)")
    }

    @Test func tokenizerEncodeGivesTokensAndIds() throws {
        let spm = TextInputCLITests.spm, input = "In the beginning\n\nthe earth\n"
        let pieces = try cli.run(["tokenizer", "encode", "--model", spm], input: input)
        let ids = try cli.run(["tokenizer", "encode", "--model", spm, "--ids"], input: input)
        let json = try cli.run(["tokenizer", "encode", "--model", spm, "--json"], input: input)
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try Self.objects(json.stdout)
        #expect(objects.map { $0["input"] as? String } == ["In the beginning", "", "the earth"])
        #expect(objects.map { ($0["tokens"] as? [String])?.joined(separator: " ") } == TextInputCLITests.lines(pieces.stdout))
        #expect(objects.map { ($0["ids"] as? [Int])?.map(String.init).joined(separator: " ") } == TextInputCLITests.lines(ids.stdout))
    }

    /// Prompts on standard input without --prompts-file: one object per line, the continuation
    /// alone as output, the same text as the plain run; and the plain run equals --prompts-file -.
    @Test func generateReadsPromptsFromStandardInputAndGivesOneObjectEach() throws {
        let dir = try Self.temporary("generate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TextInputCLITests.gpt2(in: dir)
        let common = ["generate", "--model", model, "--max-tokens", "4", "--temperature", "0"], input = "hello\n\nworld\n"
        let file = try cli.run(common + ["--prompts-file", "-"], input: input)
        let piped = try cli.run(common, input: input)
        #expect(piped.status == 0 && piped.stdout == file.stdout && !piped.stdout.isEmpty, "\(piped.stderr)")
        let json = try cli.run(common + ["--json"], input: input)
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try Self.objects(json.stdout)
        #expect(objects.map { $0["input"] as? String } == ["hello", "", "world"])
        let joined = objects.map { ($0["input"] as? String ?? "") + ($0["output"] as? String ?? "?") }
        #expect(joined == TextInputCLITests.lines(file.stdout), "\(json.stdout)")
        #expect((objects[0]["ids"] as? [Int])?.isEmpty == false && (objects[1]["ids"] as? [Int]) == [])
        #expect(objects.allSatisfy { Set($0.keys).isSubset(of: Self.known) })

        let single = try cli.run(common + ["--prompt", "hello", "--json"])
        #expect(try Self.objects(single.stdout).map { $0["output"] as? String } == [objects[0]["output"] as? String])
    }

    @Test func evalGivesTheMetricsByName() throws {
        let dir = try Self.temporary("eval")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TextInputCLITests.gpt2(in: dir)
        let text = dir.appendingPathComponent("test.txt")
        try Data("hello world\nthe cat sat on the mat\n".utf8).write(to: text)
        let plain = try cli.run(["eval", "--model", model, "--data", text.path])
        let json = try cli.run(["eval", "--model", model, "--data", text.path, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try Self.objects(json.stdout)
        try #require(objects.count == 1)
        #expect(objects[0]["input"] as? String == text.path)
        let metrics = try #require(objects[0]["metrics"] as? [String: Double], "\(json.stdout)")
        let loss = try #require(metrics["loss"]), ppl = try #require(metrics["ppl"])
        #expect(plain.stdout.hasPrefix(String(format: "loss %.4f nats/token, perplexity %.2f", loss, ppl)), "\(plain.stdout)")
    }

    /// A directory is searched recursively (images only, in order of path) and `-` reads paths
    /// from standard input; --json gives each image's file, best label and top K.
    @Test func classifyTakesDirectoriesAndPathsOnStandardInput() throws {
        let dir = try Self.temporary("classify")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("vit-tiny").path
        let imported = try cli.run(["import", "vit", ZooSearchPathCLITests.vit.path, "--out", model])
        try #require(imported.status == 0, "\(imported.stderr)")
        let images = dir.appendingPathComponent("images")
        let files = ["b/deeper/image2.ppm", "a.ppm", "b/image1.ppm"]
        for (i, file) in files.enumerated() {
            let url = images.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: ZooSearchPathCLITests.vit.appendingPathComponent("image\(i).ppm"), to: url)
        }
        try Data("not an image".utf8).write(to: images.appendingPathComponent("b/notes.txt"))
        let sorted = files.map { images.path + "/" + $0 }.sorted()

        let json = try cli.run(["classify", "--model", model, images.path, "--top", "3", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try Self.objects(json.stdout)
        #expect(objects.map { $0["input"] as? String } == sorted)
        for object in objects {
            let top = try #require(object["top"] as? [[String: Any]], "\(object)")
            #expect(top.count == 3 && top.allSatisfy { Set($0.keys) == ["label", "probability"] })
            #expect(object["label"] as? String == top[0]["label"] as? String && object["probability"] as? Double == top[0]["probability"] as? Double)
            let p = top.compactMap { $0["probability"] as? Double }
            #expect(p.count == 3 && p == p.sorted(by: >), "\(p)")
        }

        let plain = try cli.run(["classify", "--model", model, "--top", "3"] + sorted)
        let piped = try cli.run(["classify", "--model", model, "--top", "3", "-"], input: sorted.joined(separator: "\n") + "\n")
        #expect(piped.status == 0 && piped.stdout == plain.stdout && !plain.stdout.isEmpty, "\(piped.stderr)")
        #expect(TextInputCLITests.lines(plain.stdout).map { $0.split(separator: "\t").first.map(String.init) }
                == sorted.flatMap { [$0, $0, $0] })

        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        ErrorLineCLITests.expectErrorLine(try cli.run(["classify", "--model", model, empty.path]), status: 1,
                                          "\(empty.path): no .ppm, .pgm or .pnm images in the directory")
    }
}
