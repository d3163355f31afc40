import Foundation
import Testing

/// What the commands that write may replace, as a user meets it: `zoo run`, `zoo finetune` and
/// `zoo average` refuse an existing entry or file without --force (one line, exit 1, before any
/// training), `finetune` never replaces the model it reads, and a hand-broken config.json is one
/// `Error:` line, not a trap.
@Suite struct ProtectedOutputCLITests {
    let cli = ZooCLITests()

    /// A temporary directory with a tiny language-model recipe (the fixture SentencePiece model,
    /// a few lines of text) and a text to fine-tune on; commands run inside it, so the zoo is
    /// its `Zoo/` and paths are as a user types them.
    static func workspace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-protected-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let lines = ["the cat sat on the mat and the dog sat on the log.", "a bird in the hand is worth two in the bush.",
                     "the quick brown fox jumps over the lazy dog.", "to be or not to be, that is the question."]
        try Data((0..<8).flatMap { _ in lines }.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("train.txt"))
        try Data(lines.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("valid.txt"))
        try Data((1...20).map { "item \($0) costs \($0 * 3) coins." }.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("more.txt"))
        let tokenizer = ZooCLITests.fixtures.appendingPathComponent("spm/unigram_nfkc.model").path
        let yaml = """
            name: tiny
            task: language-model
            data: {train: train.txt, validation: valid.txt}
            tokenizer: {path: \(tokenizer)}
            model: {stack: decoder-only, d_model: 16, heads: 2, layers: 1, ffn: 32, context: 16, dropout: 0.0}
            training: {steps: 20, batch_tokens: 64, learning_rate: 3e-3, warmup: 1, seed: 3}
            evaluation: {every: 0, batches: 1}
            export: {prompt: "the ", sample_tokens: 5}
            """
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("tiny.yaml"))
        return dir
    }

    /// `zoo ARGS` in `dir`, the zoo being `dir/Zoo` (no ZOO_DIR from outside).
    func zoo(_ arguments: [String], in dir: URL) throws -> ZooCLITests.Result {
        try cli.run(arguments, in: dir, environment: ["ZOO_DIR": nil, "COLUMNS": "1000"])
    }

    /// A refusal: exit 1, nothing on stdout, exactly `Error: message` on stderr.
    func expectRefused(_ r: ZooCLITests.Result, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 1, "status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "\(r.stdout)", sourceLocation: sourceLocation)
        #expect(r.stderr == "Error: \(message)\n", sourceLocation: sourceLocation)
    }

    static func steps(of entry: URL) throws -> Int? {
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: entry.appendingPathComponent("config.json"))) as? [String: Any]
        return (config?["training"] as? [String: Any])?["steps"] as? Int
    }

    /// Rerunning a recipe onto its export (the default `Zoo/<export name>` or `--out`) is refused
    /// before any training, leaving the entry as it was; with --force the run replaces it whole.
    @Test func runNeedsForceToReplaceAnEntry() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let entry = dir.appendingPathComponent("Zoo/tiny")
        let first = try zoo(["run", "tiny.yaml", "--steps", "2", "--work", "work1"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let written = try Data(contentsOf: entry.appendingPathComponent("config.json"))

        for out in [[], ["--out", "Zoo/tiny"]] {
            let again = try zoo(["run", "tiny.yaml", "--steps", "2", "--work", "work2"] + out, in: dir)
            expectRefused(again, "Zoo/tiny exists; pass --force to replace it")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("work2").path), "the run started")
            #expect(try Data(contentsOf: entry.appendingPathComponent("config.json")) == written)
        }

        let forced = try zoo(["run", "tiny.yaml", "--steps", "3", "--work", "work3", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.steps(of: entry) == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("Zoo").path).sorted() == ["index.json", "tiny"])
    }

    /// Fine-tuning into its own source is refused even with --force; into another entry that
    /// exists, only with --force.
    @Test func finetuneNeedsForceAndNeverReplacesItsSource() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try zoo(["run", "tiny.yaml", "--steps", "2", "--work", "work"], in: dir).status == 0)
        let source = try Data(contentsOf: dir.appendingPathComponent("Zoo/tiny/model.safetensors"))
        let finetune = ["finetune", "--data", "more.txt", "--batch-tokens", "64", "--work", "work-ft"]

        // By name or by path, with or without --force.
        for model in ["tiny", "Zoo/tiny"] {
            for force in [[], ["--force"]] {
                let own = try zoo(finetune + ["--model", model, "--steps", "2", "--out", "Zoo/tiny"] + force, in: dir)
                expectRefused(own, "Zoo/tiny is where tiny is read from; a model never replaces its own source, even with --force: give another --out")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("work-ft").path), "fine-tuning started")
        #expect(try Data(contentsOf: dir.appendingPathComponent("Zoo/tiny/model.safetensors")) == source)

        let first = try zoo(finetune + ["--model", "tiny", "--steps", "2", "--out", "Zoo/tiny-ft"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        expectRefused(try zoo(finetune + ["--model", "tiny", "--out", "Zoo/tiny-ft", "--steps", "3"], in: dir),
                      "Zoo/tiny-ft exists; pass --force to replace it")
        #expect(try Self.steps(of: dir.appendingPathComponent("Zoo/tiny-ft")) == 2)
        let forced = try zoo(finetune + ["--model", "tiny", "--out", "Zoo/tiny-ft", "--steps", "3", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.steps(of: dir.appendingPathComponent("Zoo/tiny-ft")) == 3)
    }

    /// `zoo average` writes a new file, refuses an existing one without --force and replaces it with.
    @Test func averageNeedsForceToReplaceItsOutput() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = ZooCLITests.fixtures.appendingPathComponent("safetensors/swift_f32.safetensors").path
        let b = ZooCLITests.fixtures.appendingPathComponent("safetensors/swift_f32.safetensors").path
        #expect(try zoo(["average", a, b, "--out", "avg.safetensors"], in: dir).status == 0)
        let out = dir.appendingPathComponent("avg.safetensors")
        try Data("not the average".utf8).write(to: out)
        expectRefused(try zoo(["average", a, b, "--out", "avg.safetensors"], in: dir), "avg.safetensors exists; pass --force to replace it")
        #expect(try Data(contentsOf: out) == Data("not the average".utf8))
        let forced = try zoo(["average", a, b, "--out", "avg.safetensors", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Data(contentsOf: out) != Data("not the average".utf8))
    }

    /// A copy of a shipped entry with one field of config.json broken: the command that loads it
    /// exits 1 with one `Error:` line naming the file and the field, instead of trapping or
    /// printing NaN probabilities.
    @Test func aBrokenConfigIsOneErrorLine() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        func broken(_ shipped: String, as name: String, _ edit: (inout [String: Any]) -> Void) throws {
            let entry = dir.appendingPathComponent("Zoo/\(name)")
            try FileManager.default.createDirectory(at: entry.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: ZooCLITests.root.appendingPathComponent("Zoo/\(shipped)"), to: entry)
            let file = entry.appendingPathComponent("config.json")
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            edit(&json)
            try JSONSerialization.data(withJSONObject: json).write(to: file)
        }
        try broken("gpt-kjv", as: "gpt") { json in
            var model = json["model"] as! [String: Any]
            model["heads"] = 3
            json["model"] = model
        }
        // Copied by hand, with no index.json: ./Zoo is searched only when named (or once it has an index).
        expectRefused(try zoo(["generate", "--zoo", "Zoo", "--model", "gpt", "--prompt", "In the beginning"], in: dir),
                      "Zoo/gpt/config.json: field 'model.heads': 3 does not divide model.dModel 256")

        try broken("vit-fashion-mnist", as: "vit") { json in
            var image = json["image"] as! [String: Any]
            image["std"] = [0]
            json["image"] = image
        }
        let picture = ZooCLITests.fixtures.appendingPathComponent("image-folder/test/dark/01.pgm").path
        expectRefused(try zoo(["classify", "--model", "Zoo/vit", picture], in: dir),
                      "Zoo/vit/config.json: field 'image.std': expected a list of 1 number greater than 0, found 0.0 in the list")
    }

    /// `zoo import --force` over an existing entry, killed outright at moments spread over its
    /// run: afterwards the entry is always whole, byte for byte the entry an import writes (but
    /// for its creation time), nothing but hidden leftovers is beside it, and the next import
    /// removes those.
    @Test func anImportKilledAtAnyMomentLeavesTheEntryWhole() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let arguments = ["import", "vit", ZooSearchPathCLITests.vit.path, "--out", "Zoo/vit", "--force"]
        let started = Date()
        try #require(try zoo(arguments, in: dir).status == 0)
        let duration = Date().timeIntervalSince(started)
        let entry = dir.appendingPathComponent("Zoo/vit")
        func contents() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: entry.path) {
                let data = try Data(contentsOf: entry.appendingPathComponent(name))
                // Two imports differ only in the time config.json says the entry was created.
                files[name] = name != "config.json" ? data
                    : Data(String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.contains("\"created\"") }.joined(separator: "\n").utf8)
            }
            return files
        }
        let whole = try contents()
        for moment in 0..<12 {
            let process = Process()
            process.executableURL = ZooCLITests.zoo
            process.arguments = arguments
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: duration * Double(moment) / 10)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(try contents() == whole, "after a kill at \(moment)/10 of an import")
            let visible = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("Zoo").path).filter { !$0.hasPrefix(".") }
            #expect(visible.sorted() == ["index.json", "vit"])
            #expect(try zoo(["show", "vit"], in: dir).status == 0)
        }
        // The next import clears what the killed ones left.
        #expect(try zoo(arguments, in: dir).status == 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("Zoo").path).sorted()
        #expect(left == ["index.json", "vit"])
    }
}
