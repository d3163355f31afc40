import Foundation

/// A SentencePiece tokenizer: a `.model` file's normalizer and unigram or BPE segmenter, giving
/// the same ids, pieces and decoded text as Python's `sentencepiece.SentencePieceProcessor`.
///
/// Encoding is sentencepiece's `Encode`: normalize, segment, then post-process as
/// `PopulateSentencePieceText` does: consecutive unknown pieces merge into one `<unk>` (whose
/// piece is the unknown text itself), or, with byte fallback, each unknown character becomes the
/// `<0xXX>` pieces of its UTF-8 bytes. Control symbols are never produced by encoding.
///
/// Instances are immutable after `init` and safe to use from several threads at once.
public final class SentencePieceTokenizer: @unchecked Sendable {
    /// The model this tokenizer was built from.
    public let model: ModelProto
    let vocab: Vocabulary
    let normalizer: Normalizer
    private let denormalizer: Normalizer?
    let segmenter: Segmenter
    /// PieceToId(IdToPiece(id)): the id decoding treats `id` as (sentencepiece decodes ids by way
    /// of their pieces, and a CONTROL piece wins over a NORMAL one with the same text).
    private let decodeIds: [Int32]
    /// The byte of each BYTE piece, -1 for the others.
    private let byteValues: [Int16]

    enum Segmenter: Sendable {
        case unigram(UnigramModel)
        case bpe(BPEModel)
    }

    /// Builds the tokenizer for `model`.
    /// - Throws: `TokenizerError.invalidModel` when the model cannot be used (see `Vocabulary`),
    ///   or its model type is WORD or CHAR, which this tokenizer does not implement.
    public convenience init(model: ModelProto) throws {
        try self.init(model: model, file: "<memory>")
    }

    /// Reads a `.model` file and builds its tokenizer.
    public convenience init(contentsOf path: String) throws {
        try self.init(model: try ModelProto(contentsOf: path), file: path)
    }

    init(model: ModelProto, file: String) throws {
        self.model = model
        let vocab = try Vocabulary(model: model, file: file)
        self.vocab = vocab
        switch model.trainerSpec.modelType {
        case .unigram: segmenter = .unigram(UnigramModel(vocab: vocab))
        case .bpe: segmenter = .bpe(BPEModel(vocab: vocab))
        case .word, .char:
            throw TokenizerError.invalidModel(file: file, reason: "model type \(model.trainerSpec.modelType) is not supported (only unigram and bpe)")
        }
        do {
            normalizer = try Normalizer(spec: model.normalizerSpec,
                                        treatWhitespaceAsSuffix: model.trainerSpec.treatWhitespaceAsSuffix,
                                        userDefinedSymbols: vocab.userDefined)
            if let d = model.denormalizerSpec, !d.precompiledCharsmap.isEmpty {
                denormalizer = try Normalizer(spec: d)
            } else {
                denormalizer = nil
            }
        } catch {
            throw TokenizerError.invalidModel(file: file, reason: "normalizer: \(error)")
        }
        let t = model.trainerSpec
        unkId = SentencePieceTokenizer.specialId(vocab, t.unkPiece, default: "<unk>", type: .unknown)
        bosId = SentencePieceTokenizer.specialId(vocab, t.bosPiece, default: "<s>", type: .control)
        eosId = SentencePieceTokenizer.specialId(vocab, t.eosPiece, default: "</s>", type: .control)
        padId = SentencePieceTokenizer.specialId(vocab, t.padPiece, default: "<pad>", type: .control)
        decodeIds = vocab.pieces.map { vocab.id(of: $0) }
        byteValues = vocab.types.indices.map { i in
            vocab.types[i] == .byte ? Int16(Vocabulary.byte(of: vocab.pieces[i]) ?? 0) : -1
        }
    }

    // MARK: - Vocabulary

    /// The number of pieces.
    public var vocabularySize: Int { vocab.count }

    /// The piece with `id` (as `IdToPiece`); "" when `id` is out of range.
    public func piece(for id: Int32) -> String {
        id >= 0 && Int(id) < vocab.count ? vocab.pieces[Int(id)] : ""
    }

    /// The id of `piece`, or nil when it is not in the vocabulary (sentencepiece's PieceToId
    /// would answer the unknown id).
    public func id(for piece: String) -> Int32? { vocab.lookup(piece) }

    /// The score of the piece with `id` (0 when out of range).
    public func score(for id: Int32) -> Float { id >= 0 && Int(id) < vocab.count ? vocab.scores[Int(id)] : 0 }

    /// The type of the piece with `id`, nil when out of range.
    public func type(for id: Int32) -> ModelProto.PieceType? { id >= 0 && Int(id) < vocab.count ? vocab.types[Int(id)] : nil }

    /// The id of `<unk>` (TrainerSpec.unk_piece, a piece of type UNKNOWN).
    public let unkId: Int32
    /// The id of `<s>` (TrainerSpec.bos_piece, a CONTROL piece), -1 when the model has none.
    public let bosId: Int32
    /// The id of `</s>`, -1 when the model has none.
    public let eosId: Int32
    /// The id of `<pad>`, -1 when the model has none.
    public let padId: Int32

    /// As sentencepiece's unk_id() / bos_id() ...: the piece named in the trainer spec, if it has
    /// the expected type.
    private static func specialId(_ vocab: Vocabulary, _ piece: String, default name: String, type: ModelProto.PieceType) -> Int32 {
        let id = vocab.id(of: piece.isEmpty ? name : piece)
        return vocab.types[Int(id)] == type ? id : -1
    }

    // MARK: - Encoding

    /// `text` as the model's normalizer rewrites it (with "▁" for spaces).
    public func normalize(_ text: String) -> String { normalizer.normalize(text) }

    /// The ids of `text` (sentencepiece's `EncodeAsIds`).
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        segments(text) { normalized, segments in appendIds(segments, normalized, &ids) }
        return ids
    }

    /// The pieces of `text` (sentencepiece's `EncodeAsPieces`): merged unknown pieces are the
    /// unknown text itself, byte-fallback pieces are `<0xXX>`.
    public func encodePieces(_ text: String) -> [String] {
        var pieces: [String] = []
        segments(text) { normalized, segments in appendPieces(segments, normalized, &pieces) }
        return pieces
    }

    /// Up to `n` best segmentations of `text`, best first (sentencepiece's `NBestEncodeAsIds`).
    /// Only unigram models have n-best lists; a BPE model answers its one segmentation.
    public func nbest(_ text: String, n: Int) -> [[Int32]] {
        nbestSegments(text, n: n) { normalized, segments in
            var ids: [Int32] = []
            appendIds(segments, normalized, &ids)
            return ids
        }
    }

    /// `nbest` as pieces.
    public func nbestPieces(_ text: String, n: Int) -> [[String]] {
        nbestSegments(text, n: n) { normalized, segments in
            var pieces: [String] = []
            appendPieces(segments, normalized, &pieces)
            return pieces
        }
    }

    /// A segmentation of `text` drawn at random for subword regularization (sentencepiece's
    /// `SampleEncodeAsIds` with nbest_size = -1): for unigram, from all segmentations with
    /// probability ∝ P(x)^alpha (forward-filtering backward-sampling); for BPE, BPE-dropout with
    /// merge-skip probability `alpha`. The same generator state gives the same result.
    public func sample<G: RandomNumberGenerator>(_ text: String, alpha: Float, generator: inout G) -> [Int32] {
        var ids: [Int32] = []
        sampleSegments(text, alpha: alpha, generator: &generator) { normalized, segments in
            appendIds(segments, normalized, &ids)
        }
        return ids
    }

    /// `sample` as pieces.
    public func samplePieces<G: RandomNumberGenerator>(_ text: String, alpha: Float, generator: inout G) -> [String] {
        var pieces: [String] = []
        sampleSegments(text, alpha: alpha, generator: &generator) { normalized, segments in
            appendPieces(segments, normalized, &pieces)
        }
        return pieces
    }

    /// Normalizes `text` and segments it, handing both to `body`.
    private func segments(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, [Segment]) -> Void) {
        var text = text
        text.withUTF8 { input in
            var normalized: [UInt8] = []
            var offsets: [Int] = []
            var segments: [Segment] = []
            normalizer.normalize(input, into: &normalized, offsets: &offsets, trackOffsets: false)
            normalized.withUnsafeBufferPointer { n in
                switch segmenter {
                case .unigram(let m): m.encode(n, into: &segments)
                case .bpe(let m): m.encode(n, into: &segments)
                }
                body(n, segments)
            }
        }
    }

    private func nbestSegments<T>(_ text: String, n: Int, _ convert: (UnsafeBufferPointer<UInt8>, [Segment]) -> T) -> [T] {
        guard case .unigram(let m) = segmenter else {
            var result: [T] = []
            segments(text) { normalized, segments in result = [convert(normalized, segments)] }
            return result
        }
        let normalized = normalizer.normalize(bytes: Array(text.utf8)).normalized
        return normalized.withUnsafeBufferPointer { p in m.nbest(p, n).map { convert(p, $0.segments) } }
    }

    private func sampleSegments<G: RandomNumberGenerator>(_ text: String, alpha: Float, generator: inout G,
                                                          _ body: (UnsafeBufferPointer<UInt8>, [Segment]) -> Void) {
        let normalized = normalizer.normalize(bytes: Array(text.utf8)).normalized
        normalized.withUnsafeBufferPointer { p in
            switch segmenter {
            case .unigram(let m): body(p, m.sample(p, theta: alpha, using: &generator))
            case .bpe(let m):
                var segments: [Segment] = []
                m.encode(p, dropout: alpha, using: &generator, into: &segments)
                body(p, segments)
            }
        }
    }

    /// PopulateSentencePieceText for ids: byte fallback or merging of consecutive unknowns.
    private func appendIds(_ segments: [Segment], _ normalized: UnsafeBufferPointer<UInt8>, _ ids: inout [Int32]) {
        ids.reserveCapacity(ids.count + segments.count)
        let unk = vocab.unkId
        var previousUnknown = false
        for s in segments {
            let isUnknown = s.id == unk
            if isUnknown, let byteIds = vocab.byteIds {
                for k in Int(s.start) ..< Int(s.end) { ids.append(byteIds[Int(normalized[k])]) }
            } else if !(isUnknown && previousUnknown) {
                ids.append(s.id)
            }
            previousUnknown = isUnknown
        }
    }

    private func appendPieces(_ segments: [Segment], _ normalized: UnsafeBufferPointer<UInt8>, _ pieces: inout [String]) {
        let unk = vocab.unkId
        var previousUnknown = false
        var unknownStart = -1
        func surface(_ a: Int, _ b: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: normalized[a ..< b]), as: UTF8.self) }
        for s in segments {
            let isUnknown = s.id == unk
            if isUnknown, vocab.byteIds != nil {
                for k in Int(s.start) ..< Int(s.end) { pieces.append(Vocabulary.bytePiece(normalized[k])) }
            } else if isUnknown {
                // Consecutive unknowns merge into one piece: the unknown text.
                if !previousUnknown { unknownStart = Int(s.start); pieces.append("") }
                pieces[pieces.count - 1] = surface(unknownStart, Int(s.end))
            } else {
                pieces.append(vocab.pieces[Int(s.id)])
            }
            previousUnknown = isUnknown
        }
    }

    // MARK: - Decoding

    /// The text of `ids` (sentencepiece's `DecodeIds`): pieces concatenated with "▁" as space, the
    /// leading space the dummy prefix added removed, control pieces dropped, `<unk>` shown as the
    /// unknown surface " ⁇ ", and runs of byte pieces joined back into UTF-8 (each invalid byte
    /// becomes U+FFFD). Ids outside the vocabulary, which sentencepiece rejects, decode as `<unk>`.
    public func decode(_ ids: [Int32]) -> String {
        decode(count: ids.count) { i in
            let id = ids[i]
            guard id >= 0 && Int(id) < vocab.count else { return (vocab.pieces[Int(vocab.unkId)], vocab.unkId) }
            return (vocab.pieces[Int(id)], decodeIds[Int(id)])
        }
    }

    /// The text of `pieces` (sentencepiece's `DecodePieces`); a piece not in the vocabulary is
    /// treated as unknown and copied through as it is.
    public func decodePieces(_ pieces: [String]) -> String {
        decode(count: pieces.count) { i in (pieces[i], vocab.id(of: pieces[i])) }
    }

    private static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]  // U+2581

    /// SentencePieceProcessor::Decode over (piece, id) pairs.
    private func decode(count: Int, _ item: (Int) -> (String, Int32)) -> String {
        var text: [UInt8] = []
        var bytes: [UInt8] = []
        var isBosWhitespace = true, bosWhitespaceSeen = false
        let spec = model.normalizerSpec
        let stripsLeading = spec.addDummyPrefix || spec.removeExtraWhitespaces
        let unkSurface = Array(model.trainerSpec.unkSurface.utf8)
        for i in 0 ..< count {
            let (piece, id) = item(i)
            let byte = byteValues[Int(id)]
            if byte >= 0 {
                bytes.append(UInt8(byte))
                continue
            }
            SentencePieceTokenizer.appendBytes(&bytes, to: &text)
            if bosWhitespaceSeen || !text.isEmpty { isBosWhitespace = false }
            bosWhitespaceSeen = false
            switch vocab.types[Int(id)] {
            case .control: continue
            case .unknown:
                if vocab.pieces[Int(id)] == piece { text += unkSurface } else { text += piece.utf8 }
                continue
            default: break
            }
            var u = Array(piece.utf8)[...]
            if isBosWhitespace && stripsLeading && u.starts(with: SentencePieceTokenizer.spaceSymbol) {
                u = u.dropFirst(3)
                // With remove_extra_whitespaces every leading space goes, so keep expecting one.
                bosWhitespaceSeen = !spec.removeExtraWhitespaces
            }
            var k = u.startIndex
            while k < u.endIndex {
                if u[k] == 0xE2 && k + 2 < u.endIndex && u[k + 1] == 0x96 && u[k + 2] == 0x81 {
                    text.append(0x20)
                    k += 3
                } else {
                    text.append(u[k])
                    k += 1
                }
            }
        }
        SentencePieceTokenizer.appendBytes(&bytes, to: &text)
        let result = String(decoding: text, as: UTF8.self)
        if let denormalizer { return denormalizer.normalize(result) }
        return result
    }

    /// Appends a run of byte pieces' bytes as UTF-8, each structurally invalid byte as U+FFFD
    /// (sentencepiece's `string_util::IsValidDecodeUTF8`), and empties the run.
    private static func appendBytes(_ bytes: inout [UInt8], to text: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        var i = 0
        while i < bytes.count {
            let n = validUTF8Length(bytes, i)
            if n > 0 {
                text += bytes[i ..< i + n]
                i += n
            } else {
                text += [0xEF, 0xBF, 0xBD]
                i += 1
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    /// The length of the well-formed UTF-8 sequence at `b[i]`, or 0 (sentencepiece's DecodeUTF8:
    /// no overlong forms, no surrogates, nothing above U+10FFFF).
    private static func validUTF8Length(_ b: [UInt8], _ i: Int) -> Int {
        let len = b.count - i
        let c0 = UInt32(b[i])
        func trail(_ k: Int) -> Bool { b[i + k] & 0xC0 == 0x80 }
        func valid(_ cp: UInt32) -> Bool { cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF) }
        if c0 < 0x80 { return 1 }
        if len >= 2 && c0 & 0xE0 == 0xC0 {
            let cp = (c0 & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
            return trail(1) && cp >= 0x80 && valid(cp) ? 2 : 0
        }
        if len >= 3 && c0 & 0xF0 == 0xE0 {
            let cp = (c0 & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
            return trail(1) && trail(2) && cp >= 0x800 && valid(cp) ? 3 : 0
        }
        if len >= 4 && c0 & 0xF8 == 0xF0 {
            let cp = (c0 & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6 | UInt32(b[i + 3] & 0x3F)
            return trail(1) && trail(2) && trail(3) && cp >= 0x10000 && valid(cp) ? 4 : 0
        }
        return 0
    }
}

extension SentencePieceTokenizer: TextTokenizer {
    /// `</s>`, when the model has it.
    public var endOfTextId: Int32? { eosId >= 0 ? eosId : nil }
    /// `<s>`, when the model has it.
    public var beginningOfTextId: Int32? { bosId >= 0 ? bosId : nil }
}
