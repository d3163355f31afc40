import Foundation
import Testing

/// `zoo attention` end to end on the shipped models of every family: the files it writes, the
/// shapes in attention.json against the model's config and the tokens, the maps as distributions
/// (rows summing to 1, the future masked), the output against the family's own command, and one
/// error line, with nothing written, for input it cannot show.
@Suite struct AttentionCLITests {
    let cli = ZooCLITests()

    static func temporaryDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-attention-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The model's config.json `model` section.
    static func config(_ model: String) throws -> [String: Any] {
        let data = try Data(contentsOf: ZooCLITests.root.appendingPathComponent("Zoo/\(model)/config.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["model"] as? [String: Any])
    }

    struct Document {
        var json: [String: Any]
        var tokens: [String: [String]] { json["tokens"] as? [String: [String]] ?? [:] }
        var types: [[String: String]] { json["types"] as? [[String: String]] ?? [] }
        var maps: [[String: Any]] { json["maps"] as? [[String: Any]] ?? [] }
        func weights(_ map: [String: Any]) -> [[[Double]]] { map["weights"] as? [[[Double]]] ?? [] }
    }

    /// Runs `zoo attention ... --json` into a new DIR; checks the summary line against what is on disk.
    func attention(_ arguments: [String], in dir: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> (summary: [String: Any], document: Document) {
        let out = dir.appendingPathComponent("att")
        let r = try cli.run(["attention"] + arguments + ["--out", out.path, "--json"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)", sourceLocation: sourceLocation)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], sourceLocation: sourceLocation)
        let files = summary["files"] as? [String] ?? []
        #expect(summary["directory"] as? String == out.path, sourceLocation: sourceLocation)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == files.sorted(), sourceLocation: sourceLocation)
        #expect(files.starts(with: ["index.html", "attention.json"]), sourceLocation: sourceLocation)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("attention.json"))) as? [String: Any]
        return (summary, Document(json: try #require(json, sourceLocation: sourceLocation)))
    }

    /// Every map: layers × types in order, heads × queries × keys from the tokens of its sides,
    /// each row a distribution, future keys exactly 0 under a causal mask; an SVG per map.
    func expectShapes(_ d: Document, layers: Int, heads: Int, types: [String], causal: Set<String>, files: [String],
                      sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d.json["layers"] as? Int == layers && d.json["heads"] as? Int == heads, sourceLocation: sourceLocation)
        #expect(d.types.map { $0["type"] ?? "" } == types, sourceLocation: sourceLocation)
        #expect(d.maps.map { "\($0["layer"] ?? "")-\($0["type"] ?? "")" } == (1...layers).flatMap { l in types.map { "\(l)-\($0)" } },
                sourceLocation: sourceLocation)
        for map in d.maps {
            let type = map["type"] as? String ?? "", side = d.types.first { $0["type"] == type } ?? [:]
            let q = d.tokens[side["queries"] ?? ""]?.count ?? -1, k = d.tokens[side["keys"] ?? ""]?.count ?? -1
            let w = d.weights(map)
            #expect(w.count == heads && w.allSatisfy { $0.count == q && $0.allSatisfy { $0.count == k } },
                    "layer \(map["layer"] ?? "") \(type): not \(heads) × \(q) × \(k)", sourceLocation: sourceLocation)
            for (h, head) in w.enumerated() {
                for (i, row) in head.enumerated() {
                    #expect(abs(row.reduce(0, +) - 1) < 1e-4, "\(type) head \(h + 1) row \(i) sums to \(row.reduce(0, +))", sourceLocation: sourceLocation)
                    if causal.contains(type) { #expect(row[(i + 1)...].allSatisfy { $0 == 0 }, "\(type) row \(i) sees the future", sourceLocation: sourceLocation) }
                }
            }
            #expect(files.contains("layer-\(map["layer"] ?? "")-\(type).svg"), sourceLocation: sourceLocation)
        }
    }

    @Test func translationMapsTheSourceAndTheModelsOwnTranslation() throws {
        let dir = try Self.temporaryDirectory("mt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sentence = "The Lord is my shepherd."
        let (summary, d) = try attention(["--model", "bible-en-es", sentence], in: dir)
        let c = try Self.config("bible-en-es")
        #expect(c["encoderLayers"] as? Int == c["decoderLayers"] as? Int)
        expectShapes(d, layers: c["encoderLayers"] as? Int ?? 0, heads: c["heads"] as? Int ?? 0, types: ["encoder-self", "decoder-self", "cross"],
                     causal: ["decoder-self"], files: summary["files"] as? [String] ?? [])
        let translate = try cli.run(["translate", "--model", "bible-en-es", sentence])
        #expect(summary["output"] as? String == translate.stdout.trimmingCharacters(in: .newlines))
        #expect(d.tokens["source"]?.last == "</s>" && d.tokens["target"]?.first == "<s>", "\(d.tokens)")
        #expect(d.tokens["source"]?.dropLast().joined() == " The Lord is my shepherd.", "pieces with ▁ as spaces: \(d.tokens)")
        // The page holds the same maps, rounded.
        let page = try String(contentsOf: dir.appendingPathComponent("att/index.html"), encoding: .utf8)
        #expect(page.contains("id=\"attention-data\"") && page.contains("\"cross\""))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("url(http"), "the page loads nothing from the network")
        let svg = try String(contentsOf: dir.appendingPathComponent("att/layer-1-cross.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("head 4") && svg.contains("shepherd"))
    }

    @Test func translationTeacherForcesAGivenTarget() throws {
        let dir = try Self.temporaryDirectory("mt-target")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, d) = try attention(["--model", "bible-en-es", "In the beginning.", "--target", "En el principio."], in: dir)
        let pieces = try cli.run(["tokenizer", "encode", "--model", "Zoo/bible-en-es/tokenizer.model"], input: "En el principio.\n")
        let count = pieces.stdout.split(separator: " ").count
        #expect(d.tokens["target"]?.count == count + 1, "\(d.tokens) vs \(pieces.stdout)")
        #expect(d.json["output"] as? String == "En el principio.")
    }

    @Test func languageModelMapsThePromptAndGreedyTokens() throws {
        let dir = try Self.temporaryDirectory("lm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (summary, d) = try attention(["--model", "gpt-kjv", "In the beginning God", "--generate", "6"], in: dir)
        let c = try Self.config("gpt-kjv")
        expectShapes(d, layers: c["decoderLayers"] as? Int ?? 0, heads: c["heads"] as? Int ?? 0, types: ["self"], causal: ["self"],
                     files: summary["files"] as? [String] ?? [])
        let generate = try cli.run(["generate", "--model", "gpt-kjv", "--prompt", "In the beginning God", "--max-tokens", "6",
                                    "--temperature", "0", "--json"])
        let generated = try #require(try JSONSerialization.jsonObject(with: Data(generate.stdout.utf8)) as? [String: Any])
        #expect(summary["output"] as? String == generated["output"] as? String)
        let ids = generated["ids"] as? [Int] ?? []
        let prompt = try cli.run(["tokenizer", "encode", "--model", "Zoo/gpt-kjv/tokenizer.model"], input: "In the beginning God\n")
        #expect(d.tokens["tokens"]?.count == prompt.stdout.split(separator: " ").count + ids.count)
    }

    @Test func imageClassifierMapsPatchesWithOverlaysAndRollout() throws {
        let dir = try Self.temporaryDirectory("vit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = ZooCLITests.fixtures.appendingPathComponent("image-folder/test/split/00.pgm").path
        let (summary, d) = try attention(["--model", "vit-fashion-mnist", image], in: dir)
        let c = try Self.config("vit-fashion-mnist")
        let layers = c["encoderLayers"] as? Int ?? 0, heads = c["heads"] as? Int ?? 0
        let files = summary["files"] as? [String] ?? []
        expectShapes(d, layers: layers, heads: heads, types: ["self"], causal: [], files: files)
        #expect(d.tokens["patches"]?.count == c["maxLength"] as? Int && d.tokens["patches"]?.first == "[CLS]")
        let picture = try #require(d.json["image"] as? [String: Int])
        #expect(picture["columns"] == 7 && picture["rows"] == 7 && picture["width"] == 28)
        let rollout = d.json["rollout"] as? [[Double]] ?? []
        #expect(rollout.count == 50 && rollout.allSatisfy { $0.count == 50 && abs($0.reduce(0, +) - 1) < 1e-4 })
        let pngs = ["image.png", "rollout.png"] + (1...layers).flatMap { l in (1...heads).map { "layer-\(l)-head-\($0).png" } + ["layer-\(l)-mean.png"] }
        for png in pngs {
            #expect(files.contains(png), "\(png) missing")
            let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent("att/" + png)))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 100, "\(png)")
        }
        let classify = try cli.run(["classify", "--model", "vit-fashion-mnist", image])
        let label = classify.stdout.split(separator: "\t").dropFirst().first.map(String.init) ?? "?"
        #expect((summary["output"] as? String)?.hasPrefix(label + " (") == true, "\(summary) vs \(classify.stdout)")
    }

    @Test func chartParserMapsTheSentencesPieces() throws {
        let dir = try Self.temporaryDirectory("parse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sentence = "Mice were analyzed."
        let (summary, d) = try attention(["--model", "parse-craft", sentence], in: dir)
        let c = try Self.config("parse-craft")
        expectShapes(d, layers: c["encoderLayers"] as? Int ?? 0, heads: c["heads"] as? Int ?? 0, types: ["self"], causal: [],
                     files: summary["files"] as? [String] ?? [])
        let parse = try cli.run(["parse", "--model", "parse-craft", sentence])
        #expect(summary["output"] as? String == parse.stdout.trimmingCharacters(in: .newlines))
        #expect(d.tokens["pieces"]?.count ?? 0 >= 6, "<s>, at least a piece per word of 4, </s>: \(d.tokens)")
    }

    /// Bad input: one line `Error: …`, exit 1, and no directory (nor a staging one) left behind.
    @Test func badInputGetsOneErrorLineAndWritesNothing() throws {
        let dir = try Self.temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("att").path
        let long = Array(repeating: "word", count: 400).joined(separator: " ")
        let cases: [([String], String)] = [
            (["--model", "vit-fashion-mnist", dir.appendingPathComponent("missing.pgm").path], "missing.pgm"),
            (["--model", "bible-en-es", long], "longer than the model's context"),
            (["--model", "gpt-kjv", long], "context"),
            (["--model", "gpt-kjv", "In the beginning", "--generate", "500"], "--generate 500"),
            (["--model", "parse-craft", long], "longer than the parser's context"),
            (["--model", "bible-en-es", "  "], "empty"),
        ]
        for (arguments, words) in cases {
            let r = try cli.run(["attention"] + arguments + ["--out", out])
            #expect(r.status == 1, "\(arguments.prefix(2)): status \(r.status)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("Error: ") && lines[0].contains(words), "\(arguments.prefix(2)): \(r.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "\(arguments.prefix(2)) left files")
        }
        let usage = try cli.run(["attention", "--model", "gpt-kjv", "x", "--out", out, "--generate", "-1"])
        #expect(usage.status == 64 && usage.stderr.hasPrefix("Error: ") && usage.stderr.split(separator: "\n").count == 1)
    }

    /// An earlier output is replaced whole; a directory of other files is refused and left alone.
    @Test func replacesAnEarlierOutputButNoOtherDirectory() throws {
        let dir = try Self.temporaryDirectory("replace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("att")
        let first = try cli.run(["attention", "--model", "gpt-kjv", "In the beginning", "--out", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        try Data("stale".utf8).write(to: out.appendingPathComponent("layer-9-self.svg"))
        let second = try cli.run(["attention", "--model", "gpt-kjv", "And God said", "--out", out.path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("layer-9-self.svg").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["att"])

        let mine = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: mine.appendingPathComponent("notes.txt"))
        let refused = try cli.run(["attention", "--model", "gpt-kjv", "In the beginning", "--out", mine.path])
        #expect(refused.status == 1 && refused.stderr.hasPrefix("Error: ") && refused.stderr.contains("other files"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mine.path) == ["notes.txt"])
    }
}
