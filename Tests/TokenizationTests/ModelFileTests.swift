import Foundation
import Testing
@testable import Tokenization

/// The `.model` file reader and writer: sentencepiece's ModelProto in protobuf wire format.
@Suite struct ModelFileTests {
    static func bytes(_ model: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: SPMFixture.path("\(model).model"))))
    }

    // Minimal wire-format helpers for hand-made inputs.
    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }
    static func tag(_ field: Int, _ wire: Int) -> [UInt8] { varint(UInt64(field << 3 | wire)) }
    static func lengthDelimited(_ field: Int, _ payload: [UInt8]) -> [UInt8] {
        tag(field, 2) + varint(UInt64(payload.count)) + payload
    }

    /// A small valid model: <unk>, <s>, </s>, a few pieces.
    static func tinyModel() -> ModelProto {
        var m = ModelProto()
        m.pieces = [.init("<unk>", score: 0, type: .unknown), .init("<s>", score: 0, type: .control),
                    .init("</s>", score: 0, type: .control), .init("▁", score: -1), .init("a", score: -2),
                    .init("b", score: -2.5), .init("▁ab", score: -3)]
        m.normalizerSpec.name = "identity"
        return m
    }

    @Test(arguments: SPMFixture.models)
    func readThenWriteIsByteIdenticalForPythonModels(model: String) throws {
        let original = try Self.bytes(model)
        let proto = try ModelProto(bytes: original, path: model)
        #expect(proto.pieces.count == (model == "bpe_suffix" ? 1000 : 2000))
        #expect(proto.serialized() == original)
    }

    @Test func trainerAndNormalizerSpecsAreRead() throws {
        let special = try ModelProto(contentsOf: SPMFixture.path("unigram_special.model"))
        let t = special.trainerSpec
        #expect(t.modelType == .unigram && t.vocabSize == 2000)
        #expect((t.unkId, t.bosId, t.eosId, t.padId) == (1, 2, 3, 0))
        #expect(t.controlSymbols == ["<en>", "<es>"])
        #expect(t.userDefinedSymbols == ["<sep>", "<mask>", "[CITA]", "Jehová", "@@"])
        #expect(special.normalizerSpec.name == "nmt_nfkc" && special.normalizerSpec.precompiledCharsmap.count > 100_000)

        let bpe = try ModelProto(contentsOf: SPMFixture.path("bpe_bytefallback.model"))
        #expect(bpe.trainerSpec.modelType == .bpe && bpe.trainerSpec.byteFallback)
        #expect(bpe.normalizerSpec.name == "identity" && !bpe.normalizerSpec.addDummyPrefix)
        #expect(bpe.normalizerSpec.precompiledCharsmap.isEmpty && bpe.normalizerSpec.presence.contains(2))
        #expect(bpe.pieces.filter { $0.type == .byte }.count == 256)

        let identity = try ModelProto(contentsOf: SPMFixture.path("unigram_identity.model"))
        #expect(!identity.normalizerSpec.removeExtraWhitespaces)
    }

    @Test func editedModelsRoundTripByValue() throws {
        var m = try ModelProto(contentsOf: SPMFixture.path("unigram_nfkc.model"))
        m.pieces.append(.init("▁zyzzyva", score: -20.5))
        m.pieces[5].score = 1.25
        m.trainerSpec.vocabSize = 2001
        m.trainerSpec.characterCoverage = 1
        m.trainerSpec.padId = 7
        m.trainerSpec.controlSymbols = ["<x>"]
        m.trainerSpec.inputSentenceSize = 1 << 40
        m.normalizerSpec.addDummyPrefix = false
        m.denormalizerSpec = NormalizerSpec()
        let bytes = m.serialized()
        let again = try ModelProto(bytes: bytes)
        #expect(again == m)
        #expect(again.serialized() == bytes)
        #expect(again.trainerSpec.padId == 7 && again.trainerSpec.inputSentenceSize == 1 << 40)
    }

    @Test func freshModelsWriteOnlyWhatDiffersFromTheDefaults() throws {
        let m = Self.tinyModel()
        let again = try ModelProto(bytes: m.serialized())
        #expect(again == m)
        // An untouched TrainerSpec serializes to an empty message; NormalizerSpec carries its name.
        #expect(ModelProto().serialized() == Self.lengthDelimited(2, []) + Self.lengthDelimited(3, Self.lengthDelimited(1, Array("nmt_nfkc".utf8))))
        #expect(again.normalizerSpec.name == "identity")
        // A file without a normalizer name reads as "" (the .proto default), not "nmt_nfkc".
        let noName = try ModelProto(bytes: Self.lengthDelimited(3, Self.tag(3, 0) + [0]))
        #expect(noName.normalizerSpec.name == "" && !noName.normalizerSpec.addDummyPrefix)
        #expect(noName.serialized() == Self.lengthDelimited(3, Self.tag(3, 0) + [0]))
    }

    @Test func unknownFieldsArePreservedWhereTheyWere() throws {
        // A piece with an extension field, a TrainerSpec with fields we do not model (12, 54, 300)
        // among modelled ones, a top-level field 4 (the old self_test_data) between 3 and 5.
        let piece = Self.lengthDelimited(1, Array("<unk>".utf8)) + Self.tag(2, 5) + [0, 0, 0, 0] + Self.tag(3, 0) + [2]
            + Self.tag(200, 0) + [42]
        let trainer = Self.tag(4, 0) + Self.varint(1000) + Self.tag(12, 0) + [5] + Self.tag(40, 0) + [0]
            + Self.lengthDelimited(54, Array("seeds.txt".utf8)) + Self.tag(300, 5) + [1, 2, 3, 4] + Self.tag(301, 1) + [1, 2, 3, 4, 5, 6, 7, 8]
        let normalizer = Self.lengthDelimited(1, Array("identity".utf8)) + Self.tag(3, 0) + [1]
        let bytes = Self.lengthDelimited(1, piece) + Self.lengthDelimited(2, trainer) + Self.lengthDelimited(3, normalizer)
            + Self.lengthDelimited(4, Self.lengthDelimited(1, Self.lengthDelimited(1, Array("hi".utf8))))
            + Self.lengthDelimited(5, Self.lengthDelimited(1, Array("x".utf8)))
        let m = try ModelProto(bytes: bytes)
        #expect(m.pieces[0].unknownFields == Self.tag(200, 0) + [42])
        #expect(m.trainerSpec.vocabSize == 1000 && m.trainerSpec.unkId == 0)
        #expect(!m.trainerSpec.unknownFields.isEmpty && !m.unknownFields.isEmpty)
        #expect(m.normalizerSpec.addDummyPrefix && m.normalizerSpec.presence.contains(3))
        #expect(m.denormalizerSpec?.name == "x")
        #expect(m.serialized() == bytes)
    }

    @Test func writeIsAtomicAndReadable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("modelfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try ModelProto(contentsOf: SPMFixture.path("bpe_bytefallback.model"))
        let path = dir.appendingPathComponent("out.model").path
        try m.write(to: path)
        try m.write(to: path)  // replacing an existing file
        #expect(try ModelProto(contentsOf: path) == m)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.model"])
        let written = try SentencePieceTokenizer(contentsOf: path), python = try SPMFixture.tokenizer("bpe_bytefallback")
        #expect(written.encode("In the beginning") == python.encode("In the beginning"))

        let missingDir = dir.appendingPathComponent("no/such/dir/x.model").path
        #expect(throws: TokenizerError.self) { try m.write(to: missingDir) }
        do {
            _ = try ModelProto(contentsOf: dir.appendingPathComponent("absent.model").path)
            Issue.record("reading a missing file should throw")
        } catch let e as TokenizerError {
            #expect(e.description.contains("absent.model") && e.description.contains("no such file"))
        }
    }

    /// Parses `bytes` expecting a malformed-model error; returns its description.
    static func malformed(_ bytes: [UInt8], file: String = "bad.model") -> String? {
        do {
            _ = try ModelProto(bytes: bytes, path: file)
            return nil
        } catch let e as TokenizerError {
            guard case .malformedModel(let f, let offset, _) = e, f == file, offset >= 0, offset <= bytes.count else {
                Issue.record("unexpected error \(e)")
                return nil
            }
            return e.description
        } catch {
            Issue.record("untyped error \(error)")
            return nil
        }
    }

    @Test func corruptBytesGiveClearErrors() throws {
        // Bad varints: 11 continuation bytes; a varint cut short.
        let tooLong = Self.malformed(Self.tag(2, 2) + [12] + Self.tag(4, 0) + Array(repeating: 0xFF, count: 10) + [0x01])
        #expect(tooLong?.contains("varint longer than 64 bits") == true, "\(tooLong ?? "nil")")
        #expect(tooLong?.contains("at byte 3") == true, "offset inside the nested message, from the file start")
        #expect(Self.malformed(Self.tag(9, 0) + [0xFF, 0xFF])?.contains("truncated varint") == true)
        // Wrong wire types.
        let wrongWire = Self.malformed(Self.tag(1, 0) + [1])
        #expect(wrongWire?.contains("field 1 should be length-delimited but has wire type 0") == true, "\(wrongWire ?? "nil")")
        #expect(Self.malformed(Self.lengthDelimited(2, Self.lengthDelimited(4, [1])))?.contains("TrainerSpec") == true)
        #expect(Self.malformed(Self.lengthDelimited(1, Self.tag(2, 0) + [1])) != nil, "score as a varint")
        #expect(Self.malformed([0x0B]) != nil, "group wire type")
        #expect(Self.malformed([0x0E]) != nil, "wire type 6")
        #expect(Self.malformed([0x00])?.contains("invalid field number 0") == true)
        // Absurd lengths.
        let huge = Self.malformed(Self.tag(1, 2) + Self.varint(UInt64.max) + [1, 2, 3])
        #expect(huge?.contains("claims 18446744073709551615 bytes but only 3 remain") == true, "\(huge ?? "nil")")
        #expect(Self.malformed(Self.tag(3, 2) + Self.varint(1 << 40)) != nil)
        // Truncated fixed-width values and nested messages.
        #expect(Self.malformed(Self.lengthDelimited(1, Self.tag(2, 5) + [0, 0])) != nil)
        #expect(Self.malformed(Self.tag(9, 1) + [1, 2, 3]) != nil)
        // Invalid UTF-8 in a piece; an undefined piece type; an undefined model type.
        #expect(Self.malformed(Self.lengthDelimited(1, Self.lengthDelimited(1, [0x61, 0xFF])))?.contains("UTF-8") == true)
        #expect(Self.malformed(Self.lengthDelimited(1, Self.tag(3, 0) + [9]))?.contains("unknown piece type 9") == true)
        #expect(Self.malformed(Self.lengthDelimited(2, Self.tag(3, 0) + [7]))?.contains("unknown model type 7") == true)
        // The file name is in the message.
        #expect(Self.malformed([0x00], file: "dir/x.model")?.hasPrefix("dir/x.model: ") == true)
    }

    @Test(arguments: ["unigram_identity", "bpe_bytefallback", "unigram_nfkc"])
    func truncatedFilesNeverCrash(model: String) throws {
        let bytes = try Self.bytes(model)
        var failures = 0, cuts = 0
        var cut = 1
        while cut < bytes.count {
            cuts += 1
            if Self.malformed(Array(bytes[..<cut])) != nil { failures += 1 }
            cut += cut < 64 ? 1 : 997
        }
        // A cut on a field boundary is itself a valid (shorter) message; most cuts are not.
        #expect(failures > cuts * 3 / 4, "\(failures) of \(cuts) truncations rejected")
        // Cut just inside the last piece.
        #expect(Self.malformed(Array(bytes[..<(bytes.count - 1)])) != nil)
    }

    /// A piece as its wire bytes say it is: the string, the score's bits and the type number.
    struct WirePiece: Equatable, CustomStringConvertible {
        var piece = "", scoreBits: UInt32 = 0, type = ModelProto.PieceType.normal.rawValue
        var description: String { "(\(piece.debugDescription), \(Float(bitPattern: scoreBits)), type \(type))" }
    }

    /// The records of a protobuf message in `bytes[range]`: field number, wire type, the varint
    /// (wire type 0) and where the payload is (types 1, 2, 5). nil for anything malformed.
    static func records(_ bytes: [UInt8], _ range: Range<Int>) -> [(field: Int, wire: Int, value: UInt64, payload: Range<Int>)]? {
        var i = range.lowerBound
        func varint() -> UInt64? {
            var v: UInt64 = 0, shift: UInt64 = 0
            while i < range.upperBound && shift < 64 {
                let byte = bytes[i]
                i += 1
                v |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return v }
                shift += 7
            }
            return nil
        }
        var out: [(field: Int, wire: Int, value: UInt64, payload: Range<Int>)] = []
        while i < range.upperBound {
            guard let tag = varint(), tag >> 3 > 0, tag >> 3 < 1 << 29 else { return nil }
            let wire = Int(tag & 7)
            var value: UInt64 = 0, width = 0
            switch wire {
            case 0: guard let v = varint() else { return nil }; value = v
            case 1: width = 8
            case 5: width = 4
            case 2: guard let n = varint(), n <= UInt64(range.upperBound - i) else { return nil }; width = Int(n)
            default: return nil
            }
            guard width <= range.upperBound - i else { return nil }
            out.append((Int(tag >> 3), wire, value, i ..< i + width))
            i += width
        }
        return out
    }

    /// The pieces `bytes` holds (top-level field 1; in each, 1 = piece, 2 = score, 3 = type, the
    /// last value winning as in protobuf), read without the ModelProto reader.
    static func wirePieces(_ bytes: [UInt8]) -> [WirePiece]? {
        guard let top = records(bytes, 0 ..< bytes.count) else { return nil }
        var pieces: [WirePiece] = []
        for record in top where record.field == 1 && record.wire == 2 {
            guard let fields = records(bytes, record.payload) else { return nil }
            var p = WirePiece()
            for f in fields {
                switch (f.field, f.wire) {
                case (1, 2): p.piece = String(decoding: bytes[f.payload], as: UTF8.self)
                case (2, 5): p.scoreBits = f.payload.reversed().reduce(0) { $0 << 8 | UInt32(bytes[$1]) }
                case (3, 0): p.type = Int(Int32(truncatingIfNeeded: f.value))
                default: break
                }
            }
            pieces.append(p)
        }
        return pieces
    }

    static func wirePieces(_ m: ModelProto) -> [WirePiece] {
        m.pieces.map { WirePiece(piece: $0.piece, scoreBits: $0.score.bitPattern, type: $0.type.rawValue) }
    }

    /// Random byte changes (a fixed seed) either make the reader throw, or give a model whose
    /// pieces are what the bytes say, that writes and reads back to itself, and whose tokenizer,
    /// when only scores changed, still decodes its encoding to the text.
    @Test func randomlyCorruptedModelsNeverCrash() throws {
        let original = try Self.bytes("unigram_identity")
        let originalModel = try ModelProto(bytes: original)
        #expect(Self.wirePieces(original) == Self.wirePieces(originalModel))
        let text = "In the beginning God created the heaven and the earth."
        let withUnknowns = text + " ሰላም 🙂"
        let python = try SPMFixture.tokenizer("unigram_identity")
        #expect(python.decode(python.encode(text)) == text)
        let expectedWithUnknowns = python.decode(python.encode(withUnknowns))
        #expect(expectedWithUnknowns == text + "  ⁇   ⁇ ", "\(expectedWithUnknowns.debugDescription)")  // ▁, <unk>, ▁, <unk>

        var g = SplitMix64(seed: 11)
        var parsed = 0, tokenizers = 0, scoresOnly = 0
        for round in 0 ..< 300 {
            var b = original
            var changed: [Int] = []
            for _ in 0 ..< 1 + round % 4 {
                let i = Int.random(in: 0 ..< b.count, using: &g)
                b[i] = UInt8.random(in: 0 ... 255, using: &g)
                changed.append(i)
            }
            guard let m = try? ModelProto(bytes: b) else { continue }
            parsed += 1
            // The pieces read are the pieces written, and writing them reads back the same.
            #expect(Self.wirePieces(b) == Self.wirePieces(m), "round \(round), bytes \(changed)")
            let written = m.serialized()
            let again = try ModelProto(bytes: written)
            #expect(Self.wirePieces(again) == Self.wirePieces(m) && again.serialized() == written, "round \(round)")

            guard let tok = try? SentencePieceTokenizer(model: m) else { continue }
            tokenizers += 1
            let ids = tok.encode(withUnknowns)
            #expect(ids.allSatisfy { $0 >= 0 && Int($0) < m.pieces.count }, "round \(round)")
            // Same vocabulary and settings, other scores: another segmentation of the same text.
            if m.trainerSpec == originalModel.trainerSpec && m.normalizerSpec == originalModel.normalizerSpec
                && m.pieces.count == originalModel.pieces.count
                && zip(m.pieces, originalModel.pieces).allSatisfy({ $0.piece == $1.piece && $0.type == $1.type && $0.score.isFinite }) {
                scoresOnly += 1
                #expect(tok.decode(tok.encode(text)) == text, "round \(round), bytes \(changed)")
                #expect(tok.decode(ids) == expectedWithUnknowns, "round \(round), bytes \(changed)")
            }
        }
        #expect(parsed > 0 && tokenizers > 0 && scoresOnly > 0, "\(parsed) parsed, \(tokenizers) tokenizers, \(scoresOnly) with scores changed only")
    }

    @Test func unusableModelsAreRejectedWithReasons() throws {
        func reason(_ m: ModelProto) -> String? {
            do {
                _ = try SentencePieceTokenizer(model: m)
                return nil
            } catch let e as TokenizerError {
                guard case .invalidModel = e else { return nil }
                return e.description
            } catch { return nil }
        }
        #expect(try SentencePieceTokenizer(model: Self.tinyModel()).encodePieces("ab a") == ["▁ab", "▁", "a"])

        var noUnk = Self.tinyModel()
        noUnk.pieces[0].type = .normal
        #expect(reason(noUnk)?.contains("no <unk>") == true)

        var twoUnk = Self.tinyModel()
        twoUnk.pieces[4].type = .unknown
        #expect(reason(twoUnk)?.contains("second <unk>") == true)

        var duplicate = Self.tinyModel()
        duplicate.pieces.append(.init("a", score: -9))
        #expect(reason(duplicate)?.contains("already defined") == true)

        var empty = Self.tinyModel()
        empty.pieces.append(.init("", score: -9))
        #expect(reason(empty)?.contains("empty") == true)

        var bytePiece = Self.tinyModel()
        bytePiece.pieces.append(.init("<0x41>", score: 0, type: .byte))
        #expect(reason(bytePiece)?.contains("byte_fallback is false") == true)
        bytePiece.trainerSpec.byteFallback = true
        #expect(reason(bytePiece)?.contains("no byte piece <0x00>") == true)

        var word = Self.tinyModel()
        word.trainerSpec.modelType = .word
        #expect(reason(word)?.contains("not supported") == true)
    }
}
