import Foundation
import Layers
import Models
import ModelZoo
import Testing

/// The zoo on disk without any task family: entries written atomically and listed by the index,
/// `--model` resolution and its errors, task names as an open set, tokenizer kinds.
@Suite struct ZooRegistryTests {
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func errorMessage(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    static let model = GPT(GPT.gptConfig(vocabSize: 10, context: 8, dModel: 16, heads: 2, layers: 1, ffnDim: 32))

    /// Writes an entry named `name` whose only metric is `metric`.
    static func export(_ name: String, metric: Double, task: TaskName = "language-model", zoo: URL, tokenizer: URL) throws -> ZooEntry {
        let config = ZooEntryConfig(name: name, task: task, model: model.config, tokenizer: .init(kind: "sentencepiece", files: ["tokenizer.model"]),
                                    metrics: ["val_loss": metric],
                                    training: .init(recipe: nil, data: "none", steps: 0, tokens: 0, wallSeconds: 0, parameters: model.parameterCount))
        return try ZooRegistry.export(ZooExport(config: config, weights: model.namedParameters.map { ($0.name, $0.tensor) },
                                                tokenizerFiles: [tokenizer], card: "# \(name)\n"),
                                      to: zoo.appendingPathComponent(name))
    }

    static let tokenizerFixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/spm/unigram_nfkc.model")

    /// Exporting again replaces the entry whole and leaves no temporary directories.
    @Test func reexportReplacesTheEntryAtomically() throws {
        let dir = try Self.temporaryDirectory("reexport")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo")
        _ = try Self.export("m", metric: 2.0, zoo: zoo, tokenizer: Self.tokenizerFixture)
        let second = try Self.export("m", metric: 1.5, zoo: zoo, tokenizer: Self.tokenizerFixture)
        #expect(second.config.metrics == ["val_loss": 1.5])
        #expect(try ZooRegistry(root: zoo).entries().map(\.metrics) == [["val_loss": 1.5]])
        #expect(try FileManager.default.contentsOfDirectory(atPath: zoo.path).sorted() == ["index.json", "m"])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: second.directory.path))
                == ["config.json", "model.safetensors", "tokenizer.model", "card.md"])
    }

    /// `--model` finds an entry by name and by directory; a name the zoo lacks lists the known ones.
    @Test func modelsResolveByNameAndPathAndUnknownNamesListTheZoo() throws {
        let dir = try Self.temporaryDirectory("resolve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo")
        let a = try Self.export("alpha", metric: 1, zoo: zoo, tokenizer: Self.tokenizerFixture)
        _ = try Self.export("beta", metric: 2, zoo: zoo, tokenizer: Self.tokenizerFixture)
        let registry = ZooRegistry(root: zoo)
        #expect(try registry.resolve("alpha").config == a.config)
        #expect(try registry.resolve(a.directory.path).config == a.config)
        let unknown = Self.errorMessage { try registry.resolve("gamma") }
        #expect(unknown.hasPrefix("no model 'gamma': ") && unknown.contains("\(zoo.path) (known: alpha, beta)")
                    && unknown.contains("--zoo DIR or ZOO_DIR") && !unknown.contains("\n"), "\(unknown)")
        let weights = try registry.resolve("beta").loadWeights()
        #expect(weights.keys.sorted() == Self.model.namedParameters.map(\.name).sorted())
    }

    /// A task is a name, not a closed list: an entry of a family this build does not know still
    /// reads, lists and keeps its name through config.json.
    @Test func taskNamesAreAnOpenSetStoredAsPlainStrings() throws {
        let dir = try Self.temporaryDirectory("tasks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo")
        let entry = try Self.export("speech", metric: 1, task: "speech-recognition", zoo: zoo, tokenizer: Self.tokenizerFixture)
        let json = try String(contentsOf: entry.directory.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(json.contains("\"task\" : \"speech-recognition\""))
        #expect(try ZooRegistry(root: zoo).entries().map(\.task) == ["speech-recognition"])
        #expect(Self.errorMessage { try entry.require("translation") }
                == "model 'speech' is for speech-recognition (its config.json's task); this command needs a translation entry")
    }

    @Test func sentencePieceTokenizersLoadThroughTheRegistry() throws {
        let (tokenizer, files) = try TokenizerRegistry.load("sentencepiece", path: Self.tokenizerFixture.path)
        #expect(files == [Self.tokenizerFixture])
        let text = "In the beginning God created the heaven and the earth."
        #expect(tokenizer.decode(tokenizer.encode(text)) == text && tokenizer.endOfTextId != nil)
        #expect(Self.errorMessage { try TokenizerRegistry.kind("wordpiece") }.hasPrefix("unknown tokenizer kind 'wordpiece' (known: "))
    }

    @Test func badEntriesGiveOneLineErrors() throws {
        let dir = try Self.temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"name\": \"x\"}".utf8).write(to: dir.appendingPathComponent("config.json"))
        #expect(Self.errorMessage { try ZooEntry(directory: dir) } == "\(dir.path)/config.json: missing key 'task'")
    }
}
