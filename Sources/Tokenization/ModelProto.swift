/// SentencePiece's `ModelProto` (sentencepiece_model.proto) as Swift values: the contents of a
/// `.model` file. Reading and writing the protobuf wire format is in `ModelFile.swift`.
/// Fields we do not model are kept as raw wire bytes so a file round-trips unchanged.
public struct ModelProto: Equatable, Sendable {
    public var pieces: [Piece] = []
    public var trainerSpec = TrainerSpec()
    public var normalizerSpec = NormalizerSpec()
    /// Present in models trained with a denormalization rule; usually absent.
    public var denormalizerSpec: NormalizerSpec?
    /// Wire bytes of fields this struct does not model (e.g. self_test_data), in order.
    public var unknownFields: [UInt8] = []
    /// Which of trainer_spec (2) and normalizer_spec (3) the file carried; sentencepiece
    /// always writes both. Metadata for byte-exact round trips, ignored by `==`.
    public var presence = WirePresence([2, 3])

    public init() {}

    /// One vocabulary entry: the piece, its score and its type.
    public struct Piece: Equatable, Sendable {
        public var piece: String
        public var score: Float
        public var type: PieceType
        /// Wire bytes of fields not modelled above (extensions), in order.
        public var unknownFields: [UInt8] = []
        /// Fields present on the wire even if they hold the default; sentencepiece always
        /// writes piece (1) and score (2), and type (3) only when it is not NORMAL.
        public var presence = WirePresence([1, 2])
        public init(_ piece: String, score: Float, type: PieceType = .normal) {
            self.piece = piece
            self.score = score
            self.type = type
        }
    }

    /// sentencepiece's `ModelProto.SentencePiece.Type`.
    public enum PieceType: Int, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }
}

/// sentencepiece's `TrainerSpec.ModelType`.
public enum ModelType: Int, Sendable {
    case unigram = 1, bpe = 2, word = 3, char = 4
}

/// The trainer's settings as stored in the model (sentencepiece's TrainerSpec), with its defaults.
public struct TrainerSpec: Equatable, Sendable {
    public var input: [String] = []
    public var inputFormat = ""
    public var modelPrefix = ""
    public var modelType: ModelType = .unigram
    public var vocabSize = 8000
    public var acceptLanguage: [String] = []
    public var selfTestSampleSize = 0
    public var characterCoverage: Float = 0.9995
    public var inputSentenceSize: UInt64 = 0
    public var shuffleInputSentence = true
    public var seedSentencepieceSize = 1_000_000
    public var shrinkingFactor: Float = 0.75
    public var maxSentenceLength = 4192
    public var numThreads = 16
    public var numSubIterations = 2
    public var maxSentencepieceLength = 16
    public var splitByUnicodeScript = true
    public var splitByNumber = true
    public var splitByWhitespace = true
    public var treatWhitespaceAsSuffix = false
    public var allowWhitespaceOnlyPieces = false
    public var splitDigits = false
    public var pretokenizationDelimiter = ""
    public var controlSymbols: [String] = []
    public var userDefinedSymbols: [String] = []
    public var requiredChars = ""
    public var byteFallback = false
    public var vocabularyOutputPieceScore = true
    public var hardVocabLimit = true
    public var useAllVocab = false
    public var unkId: Int32 = 0
    public var bosId: Int32 = 1
    public var eosId: Int32 = 2
    public var padId: Int32 = -1
    public var unkPiece = "<unk>"
    public var bosPiece = "<s>"
    public var eosPiece = "</s>"
    public var padPiece = "<pad>"
    public var unkSurface = " \u{2047} "
    public var trainExtremelyLargeCorpus = false
    /// Wire bytes of TrainerSpec fields not modelled above, in order.
    public var unknownFields: [UInt8] = []
    /// Fields the file carried even though they hold the default value (proto2 presence),
    /// so a model read and written again is byte-identical. Ignored by `==`.
    public var presence = WirePresence()
    public init() {}
}

/// How text is normalized before tokenization (sentencepiece's NormalizerSpec).
public struct NormalizerSpec: Equatable, Sendable {
    /// "nmt_nfkc", "nfkc", "nmt_nfkc_cf", "nfkc_cf", "identity", or "user_defined".
    public var name = "nmt_nfkc"
    /// The compiled normalization rules: a darts-clone double-array trie followed by the
    /// normalized strings (see `CharsMap.swift`). Empty means no character mapping.
    public var precompiledCharsmap: [UInt8] = []
    /// Prepend ▁ so the first word is tokenized like every other word.
    public var addDummyPrefix = true
    /// Strip leading and trailing spaces and collapse runs of spaces.
    public var removeExtraWhitespaces = true
    /// Replace spaces with ▁ (U+2581).
    public var escapeWhitespaces = true
    public var normalizationRuleTsv = ""
    /// Wire bytes of fields not modelled above, in order.
    public var unknownFields: [UInt8] = []
    /// Fields the file carried even though they hold the default value. Ignored by `==`.
    public var presence = WirePresence()
    public init() {}
}
