import Foundation
import Testing
import Tokenization

/// GPT-2's byte-level BPE against Hugging Face's `GPT2TokenizerFast` on the fixture written by
/// Tests/Fixtures/make_gpt2_fixture.py (a 500-token vocabulary trained on Genesis–Exodus).
@Suite struct ByteLevelBPETests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/gpt2-tiny")

    struct Case: Decodable {
        let text: String
        let ids: [Int32]
        /// The pre-tokenizer's pieces of each part between `<|endoftext|>`s.
        let pieces: [[String]]
        /// Hugging Face's `decode(ids, skip_special_tokens=True)`.
        let decoded: String
    }

    struct InvalidUTF8: Decodable {
        let ids: [Int32]
        let decoded: String
    }

    struct Cases: Decodable {
        let endOfTextId: Int32
        let cases: [Case]
        let invalidUTF8: [InvalidUTF8]
    }

    static func cases() throws -> Cases {
        try JSONDecoder().decode(Cases.self, from: Data(contentsOf: fixture.appendingPathComponent("tokenizer_cases.json")))
    }

    static func tokenizer() throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(directory: fixture.path)
    }

    /// Strings compared scalar by scalar: Swift's `==` is canonical equivalence, too lenient here.
    static func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    @Test func idsMatchHuggingFaceOnHeldOutText() throws {
        let tokenizer = try Self.tokenizer()
        let fixture = try Self.cases()
        #expect(fixture.cases.count >= 100)
        for c in fixture.cases {
            #expect(tokenizer.encode(c.text) == c.ids, "\(c.text.debugDescription)")
        }
    }

    @Test func preTokenizerCutsAsGPT2sRegex() throws {
        for c in try Self.cases().cases {
            let parts = c.text.unicodeScalars.split(separator: "<|endoftext|>".unicodeScalars, omittingEmptySubsequences: false)
            #expect(parts.count == c.pieces.count, "\(c.text.debugDescription)")
            for (part, expected) in zip(parts, c.pieces) {
                var text = String.UnicodeScalarView()
                text.append(contentsOf: part)
                let pieces = GPT2PreTokenizer.pieces(of: String(text))
                #expect(pieces.map(Self.scalars) == expected.map(Self.scalars), "\(c.text.debugDescription)")
            }
        }
    }

    @Test func decodeInvertsEncode() throws {
        let tokenizer = try Self.tokenizer()
        for c in try Self.cases().cases {
            let decoded = tokenizer.decode(tokenizer.encode(c.text))
            #expect(Self.scalars(decoded) == Self.scalars(c.decoded), "\(c.text.debugDescription)")
            if !c.text.contains("<|endoftext|>") {
                #expect(Self.scalars(decoded) == Self.scalars(c.text), "\(c.text.debugDescription)")
            }
        }
    }

    /// Hugging Face decodes with `errors="replace"`: each maximal invalid UTF-8 subpart is one U+FFFD.
    @Test func invalidUTF8DecodesToReplacementCharacters() throws {
        let tokenizer = try Self.tokenizer()
        for c in try Self.cases().invalidUTF8 {
            #expect(Self.scalars(tokenizer.decode(c.ids)) == Self.scalars(c.decoded), "\(c.ids)")
        }
    }

    @Test func endOfTextIsOneSpecialToken() throws {
        let tokenizer = try Self.tokenizer()
        let eot = try Self.cases().endOfTextId
        #expect(tokenizer.endOfTextId == eot)
        #expect(tokenizer.beginningOfTextId == nil)
        #expect(tokenizer.vocabularySize == 500)
        let ids = tokenizer.encode("a<|endoftext|>\u{308}b")
        #expect(ids.filter { $0 == eot }.count == 1)
        #expect(tokenizer.decode(ids) == "a\u{308}b")
        #expect(tokenizer.token(eot) == ByteLevelBPETokenizer.endOfText)
    }

    /// GPT-2's table: printable Latin-1 bytes stand for themselves, the other 68 take U+0100…
    /// in byte order, so space is Ġ and newline Ċ.
    @Test func bytesToUnicodeIsGPT2sTable() {
        let table = bytesToUnicode()
        #expect(table.count == 256)
        #expect(Set(table).count == 256)
        #expect(table[0x20] == "\u{120}")
        #expect(table[0x0A] == "\u{10A}")
        #expect(table[0x00] == "\u{100}")
        #expect(table[0x7F] == "\u{121}")
        #expect(table[0xAD] == "\u{143}")
        #expect(table[Int(UInt8(ascii: "A"))] == "A")
        #expect(table[0xFF] == "\u{FF}")
    }

    @Test func equalRanksMergeLeftmostFirst() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenizer = try writeTokenizer(in: dir, vocab: ["a": 0, "b": 1, "aa": 2, "ab": 3, "aab": 4],
                                           merges: "#version: 0.2\na a\na b\naa b\n")
        // "aaab": a a a b → (a a) at 0 first → aa a b → then (a b) → aa ab; (aa b) never forms.
        #expect(tokenizer.encode("aaab") == [2, 3])
        #expect(tokenizer.encode("aab") == [4])
        #expect(tokenizer.decode([2, 3]) == "aaab")
    }

    @Test func concurrentEncodingAgrees() throws {
        let tokenizer = try Self.tokenizer()
        let texts = try Self.cases().cases.map(\.text)
        let expected = texts.map { tokenizer.encode($0) }
        let fresh = try Self.tokenizer()
        let results = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: texts.count * 4)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: texts.count * 4) { i in
            results[i] = fresh.encode(texts[i % texts.count])
        }
        for i in 0..<(texts.count * 4) { #expect(results[i] == expected[i % texts.count]) }
    }

    // MARK: - Malformed files

    @Test func malformedVocabularyNamesTheFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let merges = "#version: 0.2\n"
        for (vocab, expected) in [("{\"a\": 0,", "not valid JSON"), ("[1, 2]", "expected a JSON object"),
                                  ("{\"a\": 0, \"b\": \"one\"}", "token \"b\""), ("{\"a\": 0, \"b\": 0}", "id 0 is given to both"),
                                  ("{\"a\": -3}", "outside"), ("{}", "no tokens")] {
            try vocab.write(to: dir.appendingPathComponent("vocab.json"), atomically: true, encoding: .utf8)
            try merges.write(to: dir.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
            let message = errorMessage { try ByteLevelBPETokenizer(directory: dir.path) }
            #expect(message.contains(dir.appendingPathComponent("vocab.json").path), "\(message)")
            #expect(message.contains(expected), "\(vocab): \(message)")
            #expect(!message.contains("\n"))
        }
    }

    @Test func malformedMergesNameTheLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vocab = ["a": 0, "b": 1, "ab": 2, "c": 3]
        for (merges, expected) in [("#version: 0.2\na b\na b c\n", ":3: invalid merge: expected two tokens"),
                                   ("a b\nab\n", ":2: invalid merge: expected two tokens"),
                                   ("#version: 0.2\na x\n", ":2: invalid merge: token \"x\" is not in vocab.json"),
                                   ("#version: 0.2\na b\nb c\n", ":3: invalid merge: the merged token \"bc\" is not in vocab.json")] {
            let message = errorMessage { try writeTokenizer(in: dir, vocab: vocab, merges: merges) }
            #expect(message.hasPrefix(dir.appendingPathComponent("merges.txt").path + ":"), "\(message)")
            #expect(message.contains(expected), "\(merges.debugDescription): \(message)")
        }
    }

    @Test func missingFileIsNamed() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let message = errorMessage { try ByteLevelBPETokenizer(directory: dir.path) }
        #expect(message.contains(dir.appendingPathComponent("vocab.json").path) && message.contains("cannot read"), "\(message)")
    }

    // MARK: - Helpers

    private func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bpe-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private func writeTokenizer(in dir: URL, vocab: [String: Int], merges: String) throws -> ByteLevelBPETokenizer {
        try JSONSerialization.data(withJSONObject: vocab).write(to: dir.appendingPathComponent("vocab.json"))
        try merges.write(to: dir.appendingPathComponent("merges.txt"), atomically: true, encoding: .utf8)
        return try ByteLevelBPETokenizer(directory: dir.path)
    }

    private func errorMessage(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }
}
