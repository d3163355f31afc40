import Foundation
import Tasks
import Tokenization

/// Temporary files for readers that take a path, and the committed tokenizers `tokenizer-encode` uses.
enum FuzzFiles {
    /// Text with spaces, digits, accents, a CJK character and an emoji, for the tokenizers built from an input.
    static let sampleText = "Hello world, 1234 héllo wörld 日本 🙂  end"

    /// The repository root, from this file's place in it (Sources/FuzzEntry/).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Registers the shipped task families once (a recipe names one).
    static let registerFamilies: Void = TaskCatalog.registerShipped()

    private static let tokenizers = Result<[SentencePieceTokenizer], Error> {
        try ["unigram_identity", "bpe_bytefallback"].map {
            try SentencePieceTokenizer(contentsOf: repository.appendingPathComponent("Tests/Fixtures/spm/\($0).model").path)
        }
    }
    private static let gpt2 = Result<ByteLevelBPETokenizer, Error> {
        try ByteLevelBPETokenizer(directory: repository.appendingPathComponent("Tests/Fixtures/gpt2-tiny").path)
    }

    /// A unigram and a BPE SentencePiece model from Tests/Fixtures/spm.
    static func sentencePieceTokenizers() throws -> [SentencePieceTokenizer] { try tokenizers.get() }
    /// The tiny GPT-2 tokenizer of Tests/Fixtures/gpt2-tiny.
    static func gpt2Tokenizer() throws -> ByteLevelBPETokenizer { try gpt2.get() }

    /// Calls `body` with the path of a fresh file holding `bytes`, removed afterwards.
    static func withFile<T>(_ bytes: [UInt8], named name: String, _ body: (String) throws -> T) throws -> T {
        try withDirectory([name: bytes]) { try body(($0 as NSString).appendingPathComponent(name)) }
    }

    /// Calls `body` with a fresh directory holding `files`, removed afterwards.
    static func withDirectory<T>(_ files: [String: [UInt8]], _ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("zoo-fuzz-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        return try body(dir.path)
    }
}
