/// The pieces of a model as the encoders and the decoder use them, checked as sentencepiece's
/// `ModelInterface::InitializePieces` checks them: every piece non-empty and defined once, exactly
/// one `<unk>`, byte pieces only with byte fallback and then all 256 of them.
///
/// As in sentencepiece, NORMAL, USER_DEFINED and UNUSED pieces are "normal" (found in the text by
/// the trie); UNKNOWN, CONTROL and BYTE pieces are "reserved" (looked up by exact string only).
struct Vocabulary: Sendable {
    typealias PieceType = ModelProto.PieceType

    let pieces: [String]
    let pieceBytes: [[UInt8]]
    let scores: [Float]
    let types: [PieceType]
    /// NORMAL, USER_DEFINED and UNUSED pieces.
    let trie: PieceTrie
    /// UNKNOWN, CONTROL and BYTE pieces.
    let reserved: [String: Int32]
    /// The same, for lookups by bytes.
    let reservedTrie: PieceTrie
    let unkId: Int32
    /// The id of `<0xXX>` for each byte, when byte fallback is on.
    let byteIds: [Int32]?
    /// The user-defined pieces, which the normalizer and BPE keep whole.
    let userDefined: [String]
    /// Whether any piece is UNUSED.
    let hasUnused: Bool
    /// The lowest score of a NORMAL piece (FLT_MAX when there is none, as in sentencepiece).
    let minScore: Float

    init(model: ModelProto, file: String) throws {
        let n = model.pieces.count
        var pieces = [String](), bytes = [[UInt8]](), scores = [Float](), types = [PieceType]()
        pieces.reserveCapacity(n); bytes.reserveCapacity(n); scores.reserveCapacity(n); types.reserveCapacity(n)
        var normalKeys = [[UInt8]](), normalIds = [Int32]()
        var normalSeen = Set<String>()
        var reserved = [String: Int32]()
        var unk: Int32 = -1
        var userDefined = [String]()
        var byteIds = [Int32](repeating: -1, count: 256)
        let byteFallback = model.trainerSpec.byteFallback

        for (i, p) in model.pieces.enumerated() {
            let id = Int32(i)
            guard !p.piece.isEmpty else { throw TokenizerError.invalidModel(file: file, reason: "piece \(i) is empty") }
            let isNormal = p.type == .normal || p.type == .userDefined || p.type == .unused
            if isNormal {
                guard normalSeen.insert(p.piece).inserted else {
                    throw TokenizerError.invalidModel(file: file, reason: "piece \"\(p.piece)\" (id \(i)) is already defined")
                }
                normalKeys.append(Array(p.piece.utf8))
                normalIds.append(id)
            } else {
                guard reserved.updateValue(id, forKey: p.piece) == nil else {
                    throw TokenizerError.invalidModel(file: file, reason: "piece \"\(p.piece)\" (id \(i)) is already defined")
                }
            }
            switch p.type {
            case .userDefined: userDefined.append(p.piece)
            case .unknown:
                guard unk < 0 else { throw TokenizerError.invalidModel(file: file, reason: "a second <unk> piece at id \(i)") }
                unk = id
            case .byte:
                guard byteFallback else {
                    throw TokenizerError.invalidModel(file: file, reason: "byte piece \(p.piece) is found although byte_fallback is false")
                }
                guard let b = Vocabulary.byte(of: p.piece) else {
                    throw TokenizerError.invalidModel(file: file, reason: "byte piece \(p.piece) is invalid")
                }
                byteIds[Int(b)] = id
            default: break
            }
            pieces.append(p.piece)
            bytes.append(Array(p.piece.utf8))
            scores.append(p.score)
            types.append(p.type)
        }
        guard unk >= 0 else { throw TokenizerError.invalidModel(file: file, reason: "no <unk> piece (type UNKNOWN)") }
        if byteFallback, let missing = byteIds.firstIndex(of: -1) {
            throw TokenizerError.invalidModel(
                file: file, reason: "byte_fallback is true but there is no byte piece \(Vocabulary.bytePiece(UInt8(missing)))")
        }

        var minScore = Float.greatestFiniteMagnitude
        for p in model.pieces where p.type == .normal { minScore = min(minScore, p.score) }

        self.pieces = pieces
        self.pieceBytes = bytes
        self.scores = scores
        self.types = types
        self.trie = PieceTrie(keys: normalKeys, values: normalIds)
        self.reserved = reserved
        self.reservedTrie = PieceTrie(keys: reserved.keys.map { Array($0.utf8) }, values: Array(reserved.values))
        self.unkId = unk
        self.byteIds = byteFallback ? byteIds : nil
        self.userDefined = userDefined
        self.hasUnused = types.contains(.unused)
        self.minScore = minScore
    }

    var count: Int { pieces.count }

    /// sentencepiece's PieceToId: reserved pieces first, then normal ones, else `<unk>`.
    func id(of piece: String) -> Int32 {
        if let id = reserved[piece] { return id }
        return trie.find(piece.utf8) ?? unkId
    }

    /// PieceToId on the bytes of a piece.
    func id<C: Collection>(ofBytes piece: C) -> Int32 where C.Element == UInt8 {
        reservedTrie.find(piece) ?? trie.find(piece) ?? unkId
    }

    /// The id of `piece` if it is in the vocabulary.
    func lookup(_ piece: String) -> Int32? {
        reserved[piece] ?? trie.find(piece.utf8)
    }

    func type(_ id: Int32) -> PieceType { types[Int(id)] }

    /// "<0x41>" → 0x41, as sentencepiece's PieceToByte (exactly two upper-case hex digits).
    static func byte(of piece: String) -> UInt8? {
        let u = Array(piece.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E,
              let hi = hexDigit(u[3]), let lo = hexDigit(u[4]) else { return nil }
        return hi << 4 | lo
    }

    static func bytePiece(_ b: UInt8) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        return String(decoding: [0x3C, 0x30, 0x78, hex[Int(b >> 4)], hex[Int(b & 15)], 0x3E], as: UTF8.self)
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30 ... 0x39: return c - 0x30
        case 0x41 ... 0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}

/// sentencepiece's string_util::OneCharLen: the length of the UTF-8 sequence a lead byte starts
/// (1 for ASCII and for stray continuation bytes).
@inline(__always) func oneCharLength(_ b: UInt8) -> Int {
    b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
}

/// One piece of an encoding: the bytes `start..<end` of the normalized text and the piece id.
struct Segment: Equatable, Sendable {
    var start: Int32
    var end: Int32
    var id: Int32
}
