import Foundation

/// Settings for training a tokenizer, named after sentencepiece's trainer flags
/// (`spm_train --vocab_size ... --character_coverage ...`) and with the same defaults, so a recipe
/// that worked with `spm_train` means the same here.
public struct TrainerOptions: Sendable, Equatable {
    /// Size of the final vocabulary, meta pieces (`<unk>`, `<s>`, ...) included.
    public var vocabSize = 8000
    /// `.unigram` or `.bpe`.
    public var modelType: ModelType = .unigram
    /// Fraction of the corpus' characters the alphabet must cover; rarer characters become `<unk>`
    /// (or bytes, with byte fallback). sentencepiece accepts 0.98...1.
    public var characterCoverage: Double = 0.9995
    /// Longest piece, in Unicode scalars.
    public var maxSentencepieceLength = 16
    /// Pieces never cross a `▁` (except as their first character).
    public var splitByWhitespace = true
    /// Pieces never mix Unicode scripts (Hiragana and Katakana count as Han).
    public var splitByUnicodeScript = true
    /// Digits form a script of their own (pieces never mix digits and letters).
    public var splitByNumber = true
    /// Every digit is a piece of its own.
    public var splitDigits = false
    /// Put `▁` at the end of pieces instead of the start.
    public var treatWhitespaceAsSuffix = false
    /// Allow pieces made only of `▁`s.
    public var allowWhitespaceOnlyPieces = false
    /// Add the 256 `<0xNN>` byte pieces so unknown characters are spelled in UTF-8 bytes.
    public var byteFallback = false
    /// Characters that must be in the vocabulary whatever their frequency.
    public var requiredChars = ""
    /// Normalization rule: "nmt_nfkc" (default), "nfkc", "nmt_nfkc_cf", "nfkc_cf" or "identity".
    public var normalizationRuleName = "nmt_nfkc"
    /// Prepend `▁` so the first word is tokenized like every other word.
    public var addDummyPrefix = true
    /// Strip leading and trailing spaces and collapse runs of spaces.
    public var removeExtraWhitespaces = true
    /// Pieces that are always kept whole and never split (type USER_DEFINED).
    public var userDefinedSymbols: [String] = []
    /// Pieces that only ever appear by id, never from text (type CONTROL).
    public var controlSymbols: [String] = []
    /// Ids of the special pieces; -1 disables one. `<unk>` is required.
    public var unkId: Int32 = 0
    public var bosId: Int32 = 1
    public var eosId: Int32 = 2
    public var padId: Int32 = -1
    public var unkPiece = "<unk>"
    public var bosPiece = "<s>"
    public var eosPiece = "</s>"
    public var padPiece = "<pad>"
    /// What `<unk>` decodes to.
    public var unkSurface = " \u{2047} "
    /// Unigram: how many substrings seed the EM vocabulary.
    public var seedSentencepieceSize = 1_000_000
    /// Unigram (not a sentencepiece option): also seed with the longest valid prefix of repeated
    /// substrings that are not valid pieces themselves. sentencepiece seeds only with the
    /// substrings that end a suffix-tree node, so a word always followed by a space ("▁This" in
    /// "▁This▁...") is never a seed and its piece never learned. Off by default to match
    /// sentencepiece; on, held-out KJV/WEB text took slightly fewer tokens.
    public var seedValidPrefixes = false
    /// Unigram: fraction of the vocabulary kept by each pruning round.
    public var shrinkingFactor: Double = 0.75
    /// Unigram: EM iterations between pruning rounds.
    public var numSubIterations = 2
    /// Train on at most this many sentences, sampled uniformly (0: all of them).
    public var inputSentenceSize = 0
    /// With `inputSentenceSize`, sample at random instead of taking the first ones.
    public var shuffleInputSentence = true
    /// Lines longer than this many UTF-8 bytes are skipped.
    public var maxSentenceLength = 4192
    /// Worker threads (default: every core).
    public var numThreads = ProcessInfo.processInfo.activeProcessorCount
    /// Fail instead of returning a smaller vocabulary when the corpus cannot fill `vocabSize`.
    public var hardVocabLimit = true
    /// Print progress to standard error.
    public var verbose = false

    public init() {}

    /// Options with the given vocabulary size and model type, every other option at its default.
    public init(vocabSize: Int, modelType: ModelType = .unigram) {
        self.vocabSize = vocabSize
        self.modelType = modelType
    }

    /// Checks the ranges sentencepiece's trainer checks (trainer_interface.cc, VerifySpec).
    func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw TrainerError.invalidOption(what) }
        }
        try check(vocabSize > 0, "vocab_size must be positive (got \(vocabSize))")
        try check(modelType == .unigram || modelType == .bpe, "model_type must be unigram or bpe")
        try check(characterCoverage >= 0.98 && characterCoverage <= 1.0,
                  "character_coverage must be in 0.98...1 (got \(characterCoverage))")
        try check(maxSentencepieceLength >= 1 && maxSentencepieceLength <= 512,
                  "max_sentencepiece_length must be in 1...512 (got \(maxSentencepieceLength))")
        try check(numSubIterations >= 1 && numSubIterations <= 10,
                  "num_sub_iterations must be in 1...10 (got \(numSubIterations))")
        try check(numThreads >= 1 && numThreads <= 128, "num_threads must be in 1...128 (got \(numThreads))")
        try check(shrinkingFactor >= 0.5 && shrinkingFactor <= 0.95,
                  "shrinking_factor must be in 0.5...0.95 (got \(shrinkingFactor))")
        try check(maxSentenceLength >= 10, "max_sentence_length must be at least 10 (got \(maxSentenceLength))")
        try check(inputSentenceSize == 0 || inputSentenceSize > 100,
                  "input_sentence_size must be 0 or more than 100 (got \(inputSentenceSize))")
        try check(seedSentencepieceSize > 0, "seed_sentencepiece_size must be positive")
        try check(!unkPiece.isEmpty && !bosPiece.isEmpty && !eosPiece.isEmpty && !padPiece.isEmpty,
                  "unk/bos/eos/pad pieces must not be empty")
        try check(unkId >= 0, "unk_id must be defined (got \(unkId))")
    }

    /// The trainer spec sentencepiece stores in the model for these options.
    func trainerSpec(inputs: [String]) -> TrainerSpec {
        var spec = TrainerSpec()
        spec.input = inputs
        spec.modelType = modelType
        spec.vocabSize = vocabSize
        spec.characterCoverage = Float(characterCoverage)
        spec.inputSentenceSize = UInt64(inputSentenceSize)
        spec.shuffleInputSentence = shuffleInputSentence
        spec.seedSentencepieceSize = seedSentencepieceSize
        spec.shrinkingFactor = Float(shrinkingFactor)
        spec.maxSentenceLength = maxSentenceLength
        spec.numThreads = numThreads
        spec.numSubIterations = numSubIterations
        spec.maxSentencepieceLength = maxSentencepieceLength
        spec.splitByUnicodeScript = splitByUnicodeScript
        spec.splitByNumber = splitByNumber
        spec.splitByWhitespace = splitByWhitespace
        spec.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        spec.allowWhitespaceOnlyPieces = allowWhitespaceOnlyPieces
        spec.splitDigits = splitDigits
        spec.controlSymbols = controlSymbols
        spec.userDefinedSymbols = userDefinedSymbols
        spec.requiredChars = requiredChars
        spec.byteFallback = byteFallback
        spec.hardVocabLimit = hardVocabLimit
        spec.unkId = unkId
        spec.bosId = bosId
        spec.eosId = eosId
        spec.padId = padId
        spec.unkPiece = unkPiece
        spec.bosPiece = bosPiece
        spec.eosPiece = eosPiece
        spec.padPiece = padPiece
        spec.unkSurface = unkSurface
        return spec
    }

    /// The normalizer spec sentencepiece stores for these options (PopulateNormalizerSpec): the
    /// rule's name and its compiled character map.
    func normalizerSpec() throws -> NormalizerSpec {
        var spec = NormalizerSpec()
        spec.name = normalizationRuleName
        spec.addDummyPrefix = addDummyPrefix
        spec.removeExtraWhitespaces = removeExtraWhitespaces
        spec.escapeWhitespaces = true
        spec.precompiledCharsmap = try Self.compiledCharsmap(normalizationRuleName)
        return spec
    }

    /// Compiling a rule from ICU takes seconds, so each is compiled once per process.
    private static func compiledCharsmap(_ name: String) throws -> [UInt8] {
        charsmapLock.lock()
        defer { charsmapLock.unlock() }
        if let blob = charsmaps[name] { return blob }
        do {
            let blob = try CharsMapBuilder.build(name: name)
            charsmaps[name] = blob
            return blob
        } catch {
            throw TrainerError.invalidOption("unknown normalization rule \"\(name)\" (\(error))")
        }
    }

    private static let charsmapLock = NSLock()
    nonisolated(unsafe) private static var charsmaps: [String: [UInt8]] = [:]
}
