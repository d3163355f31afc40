import Foundation
import Testing
@testable import Tokenization

/// The fixtures of Tests/Fixtures/make_spm_fixtures.py: models trained by Python's sentencepiece
/// on Bible text, and what sentencepiece does with held-out text.
enum SPMFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/spm")
    static let models = ["unigram_nfkc", "unigram_identity", "unigram_bytefallback", "bpe_nfkc", "bpe_bytefallback",
                         "bpe_suffix", "unigram_special"]
    static let unigramModels = models.filter { $0.hasPrefix("unigram") }
    static let vocabModels = ["unigram_nfkc", "bpe_bytefallback", "unigram_special"]

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    // JSONDecoder, not JSONSerialization: the latter drops a U+FEFF that starts a string.
    static func jsonLines<T: Decodable>(_ name: String, as: T.Type) throws -> [T] {
        let text = try String(contentsOfFile: path(name), encoding: .utf8)
        return try text.split(separator: "\n", omittingEmptySubsequences: true).map {
            try JSONDecoder().decode(T.self, from: Data($0.utf8))
        }
    }

    static func json<T: Decodable>(_ name: String, as: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// The held-out text has 431 lines (make_spm_fixtures.py prints the count); fewer than this
    /// means a truncated or half-regenerated fixture.
    static let minimumHeldoutLines = 300

    /// The held-out text, one string a line. A missing or short file fails the test that asks for
    /// it, rather than leaving its loops nothing to check.
    static func heldout(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let file = path("heldout.jsonl")
        try #require(FileManager.default.fileExists(atPath: file),
                     "missing fixture \(file) (Tests/Fixtures/make_spm_fixtures.py writes it)", sourceLocation: sourceLocation)
        let lines = try jsonLines("heldout.jsonl", as: String.self)
        try #require(lines.count >= minimumHeldoutLines, "\(file) has \(lines.count) lines", sourceLocation: sourceLocation)
        return lines
    }

    /// Each held-out line with what sentencepiece made of it under `model`; fails unless both
    /// files are there and have a line for every held-out line.
    static func cases(_ model: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [(line: String, expected: Expected)] {
        let lines = try heldout(sourceLocation: sourceLocation)
        let expected = try self.expected(model)
        try #require(expected.count == lines.count,
                     "\(model).expected.jsonl has \(expected.count) lines, heldout.jsonl \(lines.count)", sourceLocation: sourceLocation)
        return Array(zip(lines, expected))
    }

    struct Expected: Decodable {
        var ids: [Int32]
        var pieces: [String]?
        var decoded: String?
    }

    static func expected(_ model: String) throws -> [Expected] {
        try jsonLines("\(model).expected.jsonl", as: Expected.self)
    }

    struct Extra: Decodable {
        struct DecodeIds: Decodable { var ids: [Int32]; var decoded: String }
        struct DecodePieces: Decodable { var pieces: [String]; var decoded: String }
        struct NBest: Decodable { var line: Int; var ids: [[Int32]] }
        var unk_id: Int32, bos_id: Int32, eos_id: Int32, pad_id: Int32
        var decode_ids: [DecodeIds]
        var decode_pieces: [DecodePieces]
        var nbest: [NBest]?
    }

    /// The corner cases of `model`; fails when the file has no decode cases.
    static func extra(_ model: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Extra {
        let extra = try json("\(model).extra.json", as: Extra.self)
        try #require(!extra.decode_ids.isEmpty && !extra.decode_pieces.isEmpty,
                     "\(model).extra.json has no decode cases", sourceLocation: sourceLocation)
        return extra
    }

    /// One row of <model>.vocab.json: [piece, score, type].
    struct VocabEntry: Decodable {
        var piece: String, score: Float, type: String
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            piece = try c.decode(String.self)
            score = Float(try c.decode(Double.self))
            type = try c.decode(String.self)
        }
    }

    static func tokenizer(_ model: String) throws -> SentencePieceTokenizer {
        try SentencePieceTokenizer(contentsOf: path("\(model).model"))
    }
}

/// SplitMix64: a small seeded generator for reproducible sampling in tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct SentencePieceParityTests {
    @Test func heldOutTextIsThere() throws {
        let heldout = try SPMFixture.heldout()
        #expect(heldout.count >= SPMFixture.minimumHeldoutLines)
        #expect(heldout.contains(""))
    }

    @Test(arguments: SPMFixture.models)
    func idsMatchSentencepiece(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        let cases = try SPMFixture.cases(model)
        var mismatches = 0
        for (line, e) in cases {
            let ids = tok.encode(line)
            if ids != e.ids {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("""
                        \(model): ids differ on \(line.debugDescription)
                          normalized: \(tok.normalize(line).debugDescription)
                          ours:   \(tok.encodePieces(line))
                          theirs: \(e.pieces ?? e.ids.map { tok.piece(for: $0) })
                        """)
                }
            }
        }
        #expect(mismatches == 0, "\(model): \(mismatches) of \(cases.count) lines differ")
    }

    @Test(arguments: SPMFixture.models)
    func piecesMatchSentencepiece(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        var mismatches = 0
        for (line, e) in try SPMFixture.cases(model) {
            let expected = e.pieces ?? e.ids.map { tok.piece(for: $0) }
            if tok.encodePieces(line) != expected {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(model): \(tok.encodePieces(line)) != \(expected)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: SPMFixture.models)
    func decodeOfEncodeMatchesSentencepiece(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        var mismatches = 0
        for (line, e) in try SPMFixture.cases(model) {
            let expected = e.decoded ?? line
            let ours = tok.decode(tok.encode(line))
            if ours != expected {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(model): decoded \(ours.debugDescription) != \(expected.debugDescription)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: SPMFixture.models)
    func decodeCornerCasesMatchSentencepiece(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        let extra = try SPMFixture.extra(model)
        for c in extra.decode_ids {
            #expect(tok.decode(c.ids) == c.decoded, "\(model): decode(\(c.ids))")
        }
        for c in extra.decode_pieces {
            #expect(tok.decodePieces(c.pieces) == c.decoded, "\(model): decodePieces(\(c.pieces))")
        }
    }

    @Test(arguments: SPMFixture.models)
    func specialIdsMatchSentencepiece(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        let extra = try SPMFixture.extra(model)
        #expect(tok.unkId == extra.unk_id)
        #expect(tok.bosId == extra.bos_id)
        #expect(tok.eosId == extra.eos_id)
        #expect(tok.padId == extra.pad_id)
    }

    /// unigram_identity with every score × 10,000: path scores leave ±1e5 within a few pieces,
    /// where sentencepiece re-bases them; Python gives the same ids as unscaled.
    @Test func scaledScoresGiveSentencepiecesIds() throws {
        let tok = try SPMFixture.tokenizer("unigram_scaled")
        for (line, e) in try SPMFixture.cases("unigram_identity") {
            #expect(tok.encode(line) == e.ids, "\(line.debugDescription)")
        }
    }

    @Test func controlSymbolsAreNeverProducedByEncode() throws {
        let tok = try SPMFixture.tokenizer("unigram_special")
        for line in try SPMFixture.heldout() {
            for id in tok.encode(line) { #expect(tok.type(for: id) != .control) }
        }
        #expect(tok.decode([tok.bosId, tok.id(for: "<en>")!, tok.eosId, tok.padId]) == "")
    }

    @Test func userDefinedSymbolsAreKeptWhole() throws {
        let tok = try SPMFixture.tokenizer("unigram_special")
        let pieces = tok.encodePieces("Jehová<sep>[CITA]")
        #expect(pieces.contains("Jehová") && pieces.contains("<sep>") && pieces.contains("[CITA]"))
        let bpe = try SPMFixture.tokenizer("bpe_bytefallback")
        #expect(bpe.encodePieces("xJehováx<sep>").contains("Jehová"))
    }

    @Test(arguments: SPMFixture.unigramModels)
    func nbestMatchesSentencepiece(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        let cases = try #require(try SPMFixture.extra(model).nbest)
        try #require(!cases.isEmpty, "\(model).extra.json has no n-best cases")
        let heldout = try SPMFixture.heldout()
        for c in cases {
            let line = try #require(heldout.indices.contains(c.line) ? heldout[c.line] : nil, "n-best case for line \(c.line)")
            #expect(tok.nbest(line, n: 5) == c.ids, "\(model): n-best of \(line.debugDescription)")
        }
    }

    @Test(arguments: SPMFixture.unigramModels)
    func nbestFirstEqualsViterbi(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        let heldout = try SPMFixture.heldout()
        for line in heldout.prefix(60) + heldout.suffix(40) {
            let best = tok.nbest(line, n: 4)
            #expect(best.first == tok.encode(line), "\(line.debugDescription)")
            #expect(Set(best.map { $0 }).count == best.count, "n-best entries are distinct")
        }
        #expect(tok.nbest("", n: 3) == [[]])
    }

    /// Concatenating a segmentation's pieces must give back the normalized text (byte pieces
    /// standing for their byte).
    static func isSegmentation(_ pieces: [String], of normalized: String) -> Bool {
        var bytes: [UInt8] = []
        for p in pieces {
            if let b = Vocabulary.byte(of: p) { bytes.append(b) } else { bytes += p.utf8 }
        }
        return bytes == Array(normalized.utf8)
    }

    @Test(arguments: SPMFixture.models)
    func samplesAreValidSegmentations(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        var generator = SplitMix64(seed: 42)
        let heldout = try SPMFixture.heldout()
        let lines = heldout.prefix(40) + heldout.suffix(38)
        var differing = 0
        for line in lines {
            let normalized = tok.normalize(line)
            for alpha: Float in [0.1, 0.5, 1.0] {
                let pieces = tok.samplePieces(line, alpha: alpha, generator: &generator)
                #expect(Self.isSegmentation(pieces, of: normalized), "\(model) α=\(alpha): \(pieces) for \(normalized.debugDescription)")
                if pieces != tok.encodePieces(line) { differing += 1 }
            }
            let ids = tok.sample(line, alpha: 0.1, generator: &generator)
            #expect(ids.allSatisfy { $0 >= 0 && Int($0) < tok.vocabularySize && tok.type(for: $0) != .control })
        }
        #expect(differing > 0, "sampling never left the best segmentation")
    }

    @Test(arguments: ["unigram_nfkc", "bpe_nfkc"])
    func samplingIsDeterministicForASeed(model: String) throws {
        let tok = try SPMFixture.tokenizer(model)
        let heldout = try SPMFixture.heldout()
        func draw(_ seed: UInt64) -> [[Int32]] {
            var g = SplitMix64(seed: seed)
            return heldout.prefix(30).map { tok.sample($0, alpha: 0.2, generator: &g) }
        }
        #expect(draw(7) == draw(7))
        #expect(draw(7) != draw(8))
    }

    @Test func unigramSamplingWithLargeAlphaFindsTheBestPath() throws {
        let tok = try SPMFixture.tokenizer("unigram_nfkc")
        var g = SplitMix64(seed: 1)
        let lines = Array(try SPMFixture.heldout().prefix(50))
        let same = lines.filter { tok.sample($0, alpha: 200, generator: &g) == tok.encode($0) }.count
        #expect(same >= 45, "\(same) of \(lines.count)")
    }

    @Test func bpeDropoutExtremes() throws {
        let tok = try SPMFixture.tokenizer("bpe_nfkc")
        var g = SplitMix64(seed: 3)
        for line in try SPMFixture.heldout().prefix(20) {
            #expect(tok.sample(line, alpha: 0, generator: &g) == tok.encode(line))
            let chars = tok.samplePieces(line, alpha: 1, generator: &g)
            #expect(chars.allSatisfy { $0.count == 1 }, "no merges at dropout 1")
        }
    }

    @Test(arguments: SPMFixture.vocabModels)
    func piecesScoresAndTypesMatchSentencepiece(model: String) throws {
        let proto = try ModelProto(contentsOf: SPMFixture.path("\(model).model"))
        let vocab = try SPMFixture.json("\(model).vocab.json", as: [SPMFixture.VocabEntry].self)
        try #require(!vocab.isEmpty && proto.pieces.count == vocab.count, "\(model).vocab.json has \(vocab.count) rows")
        let types: [String: ModelProto.PieceType] = ["normal": .normal, "unknown": .unknown, "control": .control,
                                                     "user_defined": .userDefined, "unused": .unused, "byte": .byte]
        for (p, v) in zip(proto.pieces, vocab) {
            #expect(p.piece == v.piece)
            #expect(p.score.bitPattern == v.score.bitPattern, "score of \(p.piece)")
            #expect(p.type == types[v.type], "type of \(p.piece)")
        }
    }

    @Test func decodeHandlesOutOfRangeIdsAndEmptyInput() throws {
        let tok = try SPMFixture.tokenizer("unigram_nfkc")
        #expect(tok.decode([]) == "")
        #expect(tok.decode([-5, Int32(tok.vocabularySize)]) == " ⁇  ⁇ ")
        #expect(tok.encode("") == [])
        #expect(tok.piece(for: -1) == "" && tok.id(for: "no such piece") == nil)
    }
}
