import Foundation
import Layers
import Models
import ModelZoo
import Tasks
import Tokenization

// What the tests of the training, recipe and task modules share: a character tokenizer, tiny
// texts and models, temporary directories and error messages. Loading it registers the shipped
// task families, as the `zoo` tool does at start.

/// A character-level tokenizer over a fixed alphabet (id 0 is end of text, 1 unknown), stored as
/// a text file of its characters: small enough for tests that train real models in seconds.
public final class CharacterTokenizer: TextTokenizer, @unchecked Sendable {
    public let alphabet: [Character]
    private let ids: [Character: Int32]

    public init(alphabet: String) {
        self.alphabet = Array(alphabet)
        var ids: [Character: Int32] = [:]
        for (i, c) in self.alphabet.enumerated() { ids[c] = Int32(i + 2) }
        self.ids = ids
    }

    public convenience init(contentsOf url: URL) throws {
        self.init(alphabet: try String(contentsOf: url, encoding: .utf8))
    }

    public func encode(_ text: String) -> [Int32] { text.map { ids[$0] ?? 1 } }
    public func decode(_ ids: [Int32]) -> String { String(ids.compactMap { $0 >= 2 && Int($0) - 2 < alphabet.count ? alphabet[Int($0) - 2] : nil }) }
    public var vocabularySize: Int { alphabet.count + 2 }
    public var endOfTextId: Int32? { 0 }
    public var beginningOfTextId: Int32? { nil }

    /// Registers the kind `test-chars` (file `chars.txt`) with the zoo's tokenizer registry.
    public static func register() {
        TokenizerRegistry.register("test-chars", .init(files: ["chars.txt"]) { files in try CharacterTokenizer(contentsOf: files[0]) })
    }
}

/// In-test text and tiny models.
public enum TrainingFixtures {
    public static let alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:'!?-"

    /// Plain English lines (the "pretraining" text).
    public static let englishLines = [
        "the cat sat on the mat and the dog sat on the log.",
        "a bird in the hand is worth two in the bush.",
        "the quick brown fox jumps over the lazy dog.",
        "in the beginning was the word, and the word was good.",
        "all that glitters is not gold; all who wander are not lost.",
        "the rain in spain stays mainly in the plain.",
        "to be or not to be, that is the question.",
        "a stitch in time saves nine, and haste makes waste.",
        "the early bird catches the worm but the second mouse gets the cheese.",
        "every cloud has a silver lining and every dog has its day.",
        "the pen is mightier than the sword, said the old man.",
        "where there is a will there is a way, said the young girl.",
    ]

    /// A very different text (the fine-tuning target): counting in a made-up notation.
    public static let countingLines: [String] = (1...60).map { i in "item \(i) costs \(i * 3) coins; total \(i * 7)." }

    public static func text(_ lines: [String], repeats: Int) -> String {
        (0..<repeats).map { _ in lines.joined(separator: "\n") }.joined(separator: "\n") + "\n"
    }

    public static func tinyConfig(vocabSize: Int, dropout: Float = 0.1, context: Int = 16) -> TransformerConfig {
        GPT.gptConfig(vocabSize: vocabSize, context: context, dModel: 32, heads: 2, layers: 2, ffnDim: 64, dropout: dropout)
    }

    /// Registers the shipped task families (idempotent); suites that read recipes call it first.
    public static func registerFamilies() { TaskCatalog.registerShipped() }

    /// A fresh temporary directory.
    public static func temporaryDirectory(_ label: String = "tasks") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The message of the error `body` throws ("" when it does not throw).
    public static func errorMessage(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }
}
