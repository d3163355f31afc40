import Foundation
import Tokenization

/// The tokenizer kinds a zoo entry or recipe can name, each with the files it is made of and a
/// loader. `sentencepiece` is one `.model` file; `gpt2-bpe` is Hugging Face's `vocab.json` and
/// `merges.txt`. Tests and other tools can register more kinds.
public enum TokenizerRegistry {
    /// Makes a tokenizer from its files (in the order `files(kind:)` gives).
    public typealias Loader = @Sendable (_ files: [URL]) throws -> any TextTokenizer

    /// A kind of tokenizer: the files it is stored as and how to load them.
    public struct Kind: Sendable {
        /// File names the kind is stored as in a zoo entry (`tokenizer.model`; `vocab.json`, `merges.txt`).
        public var files: [String]
        public var load: Loader
        public init(files: [String], load: @escaping Loader) {
            self.files = files
            self.load = load
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var kinds: [String: Kind] = [
        "sentencepiece": Kind(files: ["tokenizer.model"]) { files in
            try SentencePieceTokenizer(contentsOf: files[0].path)
        },
        "gpt2-bpe": Kind(files: ["vocab.json", "merges.txt"]) { files in
            try ByteLevelBPETokenizer(vocabJSON: files[0].path, merges: files[1].path)
        },
    ]

    /// Adds (or replaces) a tokenizer kind.
    public static func register(_ name: String, _ kind: Kind) {
        lock.lock()
        defer { lock.unlock() }
        kinds[name] = kind
    }

    /// The registered kind names, sorted.
    public static var names: [String] {
        lock.lock()
        defer { lock.unlock() }
        return kinds.keys.sorted()
    }

    public static func kind(_ name: String) throws -> Kind {
        lock.lock()
        defer { lock.unlock() }
        guard let kind = kinds[name] else {
            throw ZooError.unknownTokenizerKind(name, known: kinds.keys.sorted())
        }
        return kind
    }

    /// The tokenizer a recipe names: for `sentencepiece` the `.model` file at `path`; for
    /// `gpt2-bpe` the directory at `path` holding vocab.json and merges.txt. Returns the files
    /// to copy into a zoo entry, in the kind's order.
    public static func load(_ name: String, path: String) throws -> (tokenizer: any TextTokenizer, files: [URL]) {
        let kind = try kind(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ZooError.missingFile(path) }
        let url = URL(fileURLWithPath: path)
        let files = isDirectory.boolValue ? kind.files.map { url.appendingPathComponent($0) } : [url]
        guard files.count == kind.files.count else {
            throw ZooError.badEntry(path: path, reason: "a \(name) tokenizer is \(kind.files.joined(separator: " + ")); give their directory")
        }
        for f in files where !FileManager.default.fileExists(atPath: f.path) { throw ZooError.missingFile(f.path) }
        return (try kind.load(files), files)
    }
}
