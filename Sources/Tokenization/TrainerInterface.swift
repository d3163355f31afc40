import Foundation

/// What can go wrong while training a tokenizer.
public enum TrainerError: Error, CustomStringConvertible, Equatable {
    /// The corpus has no usable line (empty, or every line empty after normalization).
    case emptyCorpus(source: String)
    /// The input file could not be read.
    case unreadableInput(path: String, reason: String)
    /// An option is out of range or inconsistent.
    case invalidOption(String)
    /// The vocabulary cannot even hold the meta pieces and the required characters.
    case vocabularyTooSmall(vocabSize: Int, needed: Int)
    /// The corpus does not have enough distinct pieces to fill the vocabulary (hard_vocab_limit).
    case vocabularyTooLarge(vocabSize: Int, reachable: Int)

    public var description: String {
        switch self {
        case .emptyCorpus(let source):
            return "\(source): the training corpus has no non-empty line"
        case .unreadableInput(let path, let reason):
            return "\(path): cannot read the training corpus (\(reason))"
        case .invalidOption(let what):
            return "invalid trainer option: \(what)"
        case .vocabularyTooSmall(let vocabSize, let needed):
            return "vocabulary size \(vocabSize) is smaller than the \(needed) meta pieces and required characters;"
                + " increase vocab_size or decrease character_coverage"
        case .vocabularyTooLarge(let vocabSize, let reachable):
            return "vocabulary size too high (\(vocabSize)): the corpus yields at most \(reachable) pieces;"
                + " set it to a value <= \(reachable)"
        }
    }
}

/// What the trainer saw, for logs and checks (the model itself is in `model`).
public struct TrainingReport: Sendable {
    public var model: ModelProto
    /// Lines read from the input (before any was skipped).
    public var linesRead = 0
    /// Lines used for training (non-empty after normalization, not too long).
    public var sentences = 0
    /// Lines longer than `maxSentenceLength` bytes, skipped as sentencepiece skips them.
    public var linesTooLong = 0
    /// Lines whose invalid UTF-8 was replaced by U+FFFD.
    public var linesWithInvalidUTF8 = 0
    /// Distinct characters kept in the alphabet and the fraction of the corpus they cover.
    public var alphabetSize = 0
    public var characterCoverage = 0.0
    /// Wall-clock training time, in seconds.
    public var seconds = 0.0
}

/// Trains SentencePiece models (unigram or BPE) that Python's `sentencepiece` loads and that
/// encode as a `spm_train`-trained model would.
public enum SentencePieceTrainer {
    /// Trains on `sentences`, one sentence (line) each.
    public static func train(sentences: [String], options: TrainerOptions) throws -> ModelProto {
        try trainWithReport(sentences: sentences, options: options).model
    }

    /// Trains on a UTF-8 text file, one sentence a line. Invalid UTF-8 is replaced by U+FFFD.
    public static func train(inputFile: String, options: TrainerOptions) throws -> ModelProto {
        try trainWithReport(inputFile: inputFile, options: options).model
    }

    /// `train(sentences:options:)`, also returning what the trainer saw.
    public static func trainWithReport(sentences: [String], options: TrainerOptions) throws -> TrainingReport {
        let start = DispatchTime.now()
        var trainer = try TrainerInterface(options: options, inputs: [])
        var report = TrainingReport(model: ModelProto())
        report.linesRead = sentences.count
        try trainer.loadSentences(sentences, source: "sentences", report: &report)
        report.model = try trainer.train()
        report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return report
    }

    /// `train(inputFile:options:)`, also returning what the trainer saw.
    public static func trainWithReport(inputFile: String, options: TrainerOptions) throws -> TrainingReport {
        let start = DispatchTime.now()
        var trainer = try TrainerInterface(options: options, inputs: [inputFile])
        var report = TrainingReport(model: ModelProto())
        let lines = try readLines(path: inputFile, report: &report)
        try trainer.loadSentences(lines, source: inputFile, report: &report)
        report.model = try trainer.train()
        report.seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return report
    }

    /// The lines of a text file ("\n"-separated, as sentencepiece's ReadLine), invalid UTF-8 replaced.
    static func readLines(path: String, report: inout TrainingReport) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"
            throw TrainerError.unreadableInput(path: path, reason: reason)
        }
        var lines: [String] = []
        var invalid = 0
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lineStart = 0
            func emit(_ end: Int) {
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<end])
                if let s = String(validating: line, as: UTF8.self) {
                    lines.append(s)
                } else {
                    invalid += 1
                    lines.append(String(decoding: line, as: UTF8.self))
                }
            }
            for i in 0..<bytes.count where bytes[i] == 0x0A {
                emit(i)
                lineStart = i + 1
            }
            if lineStart < bytes.count { emit(bytes.count) }
        }
        report.linesRead = lines.count
        report.linesWithInvalidUTF8 = invalid
        return lines
    }
}

/// sentencepiece's TrainerInterface (trainer_interface.cc): what the unigram and BPE trainers
/// share. It loads and normalizes the sentences, picks the alphabet by character coverage, splits
/// sentences into words, decides which pieces are valid, places the meta pieces and assembles
/// the final ModelProto. Text is handled as arrays of Unicode scalar values.
struct TrainerInterface {
    /// U+2581, the whitespace symbol.
    static let spaceSymbol: UInt32 = 0x2581
    /// U+2585, stands for characters outside the alphabet while training.
    static let unknownChar: UInt32 = 0x2585
    /// Meta pieces found in the text are replaced by a tab, which never enters a piece.
    static let boundaryChar: UInt32 = 0x09

    let options: TrainerOptions
    let trainerSpec: TrainerSpec
    let normalizerSpec: NormalizerSpec
    /// Meta pieces (unk/bos/eos/pad, control, user-defined, bytes) by id.
    private(set) var metaPieces: [Int: (piece: String, type: ModelProto.PieceType)] = [:]

    /// The normalized sentences, characters outside the alphabet replaced by `unknownChar`.
    var sentences: [[UInt32]] = []
    var frequencies: [Int64] = []
    /// The alphabet with each character's count, in sentencepiece's `Sorted` order (count
    /// descending, then code point ascending).
    var requiredChars: [(char: UInt32, count: Int64)] = []

    init(options: TrainerOptions, inputs: [String]) throws {
        try options.validate()
        self.options = options
        self.trainerSpec = options.trainerSpec(inputs: inputs)
        self.normalizerSpec = try options.normalizerSpec()
        try initMetaPieces()
    }

    // MARK: Meta pieces

    /// InitMetaPieces: unk/bos/eos/pad at their ids, then control symbols, user-defined symbols and
    /// (with byte fallback) the 256 byte pieces at the lowest free ids, in that order.
    private mutating func initMetaPieces() throws {
        var hasUnk = false
        func insertId(_ id: Int32, _ piece: String) throws {
            if id < 0 { return }
            if Int(id) >= options.vocabSize || metaPieces[Int(id)] != nil || (hasUnk && piece == options.unkPiece) {
                throw TrainerError.invalidOption("id \(id) of \(piece) is taken or outside the vocabulary")
            }
            if piece == options.unkPiece { hasUnk = true }
            metaPieces[Int(id)] = (piece, piece == options.unkPiece ? .unknown : .control)
        }
        try insertId(options.unkId, options.unkPiece)
        try insertId(options.bosId, options.bosPiece)
        try insertId(options.eosId, options.eosPiece)
        try insertId(options.padId, options.padPiece)
        if !hasUnk { throw TrainerError.invalidOption("\(options.unkPiece) must be defined") }

        var seen = Set<String>()
        var nextId = 0
        func insertSymbol(_ piece: String, _ type: ModelProto.PieceType) throws {
            guard seen.insert(piece).inserted else {
                throw TrainerError.invalidOption("\(piece) is already defined")
            }
            if piece.isEmpty { throw TrainerError.invalidOption("a symbol must not be empty") }
            if piece == options.unkPiece {
                throw TrainerError.invalidOption("\(piece) must not be defined with control_symbols or user_defined_symbols")
            }
            if piece == options.bosPiece && options.bosId >= 0 {
                metaPieces[Int(options.bosId)]!.type = type
            } else if piece == options.eosPiece && options.eosId >= 0 {
                metaPieces[Int(options.eosId)]!.type = type
            } else if piece == options.padPiece && options.padId >= 0 {
                metaPieces[Int(options.padId)]!.type = type
            } else {
                while metaPieces[nextId] != nil { nextId += 1 }
                metaPieces[nextId] = (piece, type)
            }
        }
        for s in options.controlSymbols { try insertSymbol(s, .control) }
        for s in options.userDefinedSymbols { try insertSymbol(s, .userDefined) }
        if options.byteFallback {
            for b in 0..<256 { try insertSymbol(Self.bytePiece(UInt8(b)), .byte) }
        }
    }

    /// "<0x3A>" for 58, as sentencepiece's ByteToPiece.
    static func bytePiece(_ b: UInt8) -> String {
        let hex = String(b, radix: 16, uppercase: true)
        return "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"
    }

    // MARK: Loading

    /// LoadSentences: skip over-long lines and lines holding U+2585, sample `inputSentenceSize`
    /// lines, normalize, replace meta pieces by a tab, drop empty results, then choose the
    /// alphabet by character coverage and replace every other character by U+2585.
    mutating func loadSentences(_ lines: [String], source: String, report: inout TrainingReport) throws {
        let clock = ProgressClock(verbose: options.verbose)
        var selected: [String] = []
        selected.reserveCapacity(lines.count)
        var sampler = ReservoirSampler(capacity: options.inputSentenceSize)
        for line in lines {
            if line.isEmpty { continue }
            if line.utf8.count > options.maxSentenceLength {
                report.linesTooLong += 1
                continue
            }
            if Self.containsUnknownChar(line) { continue }
            if options.inputSentenceSize == 0 {
                selected.append(line)
            } else if options.shuffleInputSentence {
                sampler.add(line, into: &selected)
            } else {
                selected.append(line)
                if selected.count >= options.inputSentenceSize { break }
            }
        }
        if selected.isEmpty { throw TrainerError.emptyCorpus(source: source) }

        // Normalize in parallel, one Normalizer per worker.
        let spec = normalizerSpec
        let metaMatcher = MetaPieceMatcher(pieces: metaPieces.values.map(\.piece))
        let threads = options.numThreads
        let suffix = options.treatWhitespaceAsSuffix
        let input = selected
        let shards = try Self.parallelShards(count: input.count, threads: threads) { range -> [[UInt32]] in
            let normalizer = try Normalizer(spec: spec, treatWhitespaceAsSuffix: suffix)
            return range.map { i in
                let normalized = Array(normalizer.normalize(input[i]).unicodeScalars.lazy.map(\.value))
                return metaMatcher.replace(in: normalized, with: Self.boundaryChar)
            }
        }
        sentences = []
        sentences.reserveCapacity(input.count)
        for shard in shards {
            for s in shard where !s.isEmpty { sentences.append(s) }
        }
        if sentences.isEmpty { throw TrainerError.emptyCorpus(source: source) }
        clock.log("normalized \(sentences.count) sentences")
        frequencies = [Int64](repeating: 1, count: sentences.count)
        report.sentences = sentences.count

        try chooseAlphabet(report: &report)
        clock.log("alphabet: \(requiredChars.count) characters, coverage \(report.characterCoverage)")
    }

    /// Whether `line` holds U+2585 (UTF-8 E2 96 85), which sentencepiece reserves.
    private static func containsUnknownChar(_ line: String) -> Bool {
        var line = line
        return line.withUTF8 { u in
            var i = 0
            while i + 2 < u.count {
                if u[i] == 0xE2 && u[i + 1] == 0x96 && u[i + 2] == 0x85 { return true }
                i += 1
            }
            return false
        }
    }

    /// The character-coverage step of LoadSentences: required characters first, then the most
    /// frequent ones until `characterCoverage` of all characters is covered.
    private mutating func chooseAlphabet(report: inout TrainingReport) throws {
        // Counts in a flat table over all code points (faster than hashing millions of characters).
        var table = [Int64](repeating: 0, count: 0x110000)
        var total: Int64 = 0
        table.withUnsafeMutableBufferPointer { t in
            for (s, f) in zip(sentences, frequencies) {
                for c in s where c != 0 && c != 0x20 && c < 0x110000 {
                    t[Int(c)] += f
                    total += f
                }
            }
        }
        var counts: [UInt32: (required: Bool, count: Int64)] = [:]
        for (c, n) in table.enumerated() where n > 0 { counts[UInt32(c)] = (false, n) }
        for c in options.requiredChars.unicodeScalars where c.value != 0 {
            counts[c.value, default: (false, 0)].required = true
        }
        // Sorted(): by (required, count) descending, then character ascending.
        let ordered = counts.sorted { a, b in
            if a.value.required != b.value.required { return a.value.required }
            if a.value.count != b.value.count { return a.value.count > b.value.count }
            return a.key < b.key
        }
        var accumulated: Int64 = 0
        var required: [(char: UInt32, count: Int64)] = []
        for (c, v) in ordered {
            let coverage = total == 0 ? 1.0 : Double(accumulated) / Double(total)
            if coverage >= options.characterCoverage { break }
            accumulated += v.count
            if c == Self.boundaryChar || c == Self.unknownChar { continue }
            required.append((c, v.count))
        }
        report.alphabetSize = required.count
        report.characterCoverage = total == 0 ? 1.0 : Double(accumulated) / Double(total)
        requiredChars = required.sorted { $0.count != $1.count ? $0.count > $1.count : $0.char < $1.char }

        var inAlphabet = [Bool](repeating: false, count: 0x110000)
        for (c, _) in required where c < 0x110000 { inAlphabet[Int(c)] = true }
        inAlphabet.withUnsafeBufferPointer { keep in
            for i in sentences.indices {
                sentences[i].withUnsafeMutableBufferPointer { s in
                    for j in s.indices where s[j] >= 0x110000 || !keep[Int(s[j])] { s[j] = Self.unknownChar }
                }
            }
        }
        if options.modelType == .unigram || options.modelType == .bpe {
            let needed = requiredChars.count + metaPieces.count
            if needed > options.vocabSize {
                throw TrainerError.vocabularyTooSmall(vocabSize: options.vocabSize, needed: needed)
            }
        }
    }

    // MARK: Words and pieces

    /// SplitIntoWords (model_interface.cc): "▁this▁is" -> ["▁this", "▁is"]; with
    /// `treatWhitespaceAsSuffix`, "this▁is▁" -> ["this▁", "is▁"].
    func splitIntoWords(_ text: [UInt32]) -> [ArraySlice<UInt32>] {
        let ws = Self.spaceSymbol
        let allowWSOnly = options.allowWhitespaceOnlyPieces
        var words: [ArraySlice<UInt32>] = []
        var start = 0
        var inWSSequence = false
        if options.treatWhitespaceAsSuffix {
            for i in text.indices {
                let isWS = text[i] == ws
                if isWS {
                    inWSSequence = true
                } else if inWSSequence {
                    if allowWSOnly { words.append(text[start..<i]); start = i }
                    inWSSequence = false
                }
                if isWS && !allowWSOnly && i + 1 < text.count {
                    words.append(text[start...i])
                    start = i + 1
                }
            }
            if start < text.count { words.append(text[start...]) }
        } else {
            for i in text.indices {
                let isWS = text[i] == ws
                if i == 0 || (isWS && (!inWSSequence || !allowWSOnly)) {
                    if i > start { words.append(text[start..<i]) }
                    start = i
                    inWSSequence = true
                }
                if inWSSequence && !isWS { inWSSequence = false }
            }
            if start < text.count { words.append(text[start...]) }
        }
        return words
    }

    /// SplitSentencesByWhitespace: the distinct words with their total frequencies, most frequent
    /// first (ties by code points).
    func wordsWithFrequencies() -> (words: [[UInt32]], frequencies: [Int64]) {
        var counts: [[UInt32]: Int64] = [:]
        for (s, f) in zip(sentences, frequencies) {
            for w in splitIntoWords(s) { counts[Array(w), default: 0] += f }
        }
        let sorted = counts.sorted { a, b in
            a.value != b.value ? a.value > b.value : a.key.lexicographicallyPrecedes(b.key)
        }
        return (sorted.map(\.key), sorted.map(\.value))
    }

    /// IsValidSentencePiece: within the length limit; no U+2585, NUL, tab or space; `▁` only where
    /// the whitespace options allow it; one Unicode script (digits their own unless
    /// !split_by_number; Hiragana/Katakana count as Han; combining marks take the previous script);
    /// a digit alone when split_digits.
    func isValidPiece<C: RandomAccessCollection>(_ piece: C) -> Bool where C.Element == UInt32, C.Index == Int {
        let n = piece.count
        if n == 0 || n > options.maxSentencepieceLength { return false }
        let ws = Self.spaceSymbol
        let any: Int = -1
        var prevScript = any
        var allWS = true
        for c in piece where c != ws { allWS = false; break }
        var pos = 0
        for c in piece {
            defer { pos += 1 }
            if c == Self.unknownChar || c == 0 || c == Self.boundaryChar || c == 0x20 { return false }
            if c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) { return false }
            if c == ws {
                if !options.allowWhitespaceOnlyPieces || !allWS {
                    if options.treatWhitespaceAsSuffix {
                        if (options.splitByWhitespace && pos < n - 1) || (!options.splitByWhitespace && pos < n - 1 && pos == 0) {
                            return false
                        }
                    } else {
                        if (options.splitByWhitespace && pos > 0) || (!options.splitByWhitespace && pos > 0 && pos == n - 1) {
                            return false
                        }
                    }
                }
                continue
            }
            var s = Int(Self.script(of: c))
            if s == Int(UnicodeScript.hiragana) || s == Int(UnicodeScript.katakana) || c == 0x30FC {
                s = Int(UnicodeScript.han)
            } else if s == Int(UnicodeScript.inherited) {
                s = prevScript
            }
            let isDigit = (c >= 0x30 && c <= 0x39) || (c >= 0xFF10 && c <= 0xFF19)
            if isDigit && !options.splitByNumber { s = any }
            if isDigit && options.splitDigits && n > 1 { return false }
            if options.splitByUnicodeScript && s != any && prevScript != any && prevScript != s { return false }
            prevScript = s
        }
        return true
    }

    /// Script lookups for the Basic Multilingual Plane, precomputed (the seed search asks millions).
    private static let bmpScripts: [UInt8] = (0..<0x10000).map { UnicodeScript.of(UInt32($0)) }

    @inline(__always)
    static func script(of c: UInt32) -> UInt8 {
        c < 0x10000 ? bmpScripts.withUnsafeBufferPointer { $0[Int(c)] } : UnicodeScript.of(c)
    }

    // MARK: Training and the model

    /// Runs the trainer for `options.modelType` and assembles the model.
    func train() throws -> ModelProto {
        let pieces: [(piece: [UInt32], score: Float)]
        switch options.modelType {
        case .unigram: pieces = try UnigramTrainer(base: self).train()
        case .bpe: pieces = try BPETrainer(base: self).train()
        default: throw TrainerError.invalidOption("model_type must be unigram or bpe")
        }
        return try makeModel(pieces: pieces)
    }

    /// Serialize: meta pieces at their ids (score 0), the learned pieces in order in the other
    /// slots; trainer and normalizer specs as sentencepiece stores them.
    func makeModel(pieces: [(piece: [UInt32], score: Float)]) throws -> ModelProto {
        var model = ModelProto()
        var seen = Set<String>()
        var next = 0
        for id in 0..<options.vocabSize {
            if let meta = metaPieces[id] {
                model.pieces.append(.init(meta.piece, score: 0, type: meta.type))
                seen.insert(meta.piece)
            } else if next < pieces.count {
                let p = pieces[next]
                next += 1
                let s = String(String.UnicodeScalarView(p.piece.map { UnicodeScalar($0)! }))
                guard seen.insert(s).inserted else {
                    throw TrainerError.invalidOption("piece \(s) is already defined (it clashes with a meta piece)")
                }
                model.pieces.append(.init(s, score: p.score))
            }
        }
        model.trainerSpec = trainerSpec
        model.normalizerSpec = normalizerSpec
        if model.pieces.count != options.vocabSize || next != pieces.count {
            if options.hardVocabLimit || next != pieces.count {
                throw TrainerError.vocabularyTooLarge(vocabSize: options.vocabSize, reachable: model.pieces.count)
            }
            model.trainerSpec.vocabSize = model.pieces.count
        }
        return model
    }
}

extension TrainerInterface {
    /// Finds meta pieces (`<s>`, user-defined symbols, ...) in normalized text, longest first, as
    /// sentencepiece's PrefixMatcher::GlobalReplace does.
    struct MetaPieceMatcher: Sendable {
        private var byFirst: [UInt32: [[UInt32]]] = [:]

        init(pieces: [String]) {
            for p in pieces {
                let scalars = p.unicodeScalars.map(\.value)
                guard let first = scalars.first else { continue }
                byFirst[first, default: []].append(scalars)
            }
            for k in byFirst.keys { byFirst[k]!.sort { $0.count > $1.count } }
        }

        func replace(in text: [UInt32], with replacement: UInt32) -> [UInt32] {
            if byFirst.isEmpty { return text }
            var out: [UInt32] = []
            out.reserveCapacity(text.count)
            var i = 0
            outer: while i < text.count {
                if let candidates = byFirst[text[i]] {
                    for c in candidates where i + c.count <= text.count && text[i..<(i + c.count)].elementsEqual(c) {
                        out.append(replacement)
                        i += c.count
                        continue outer
                    }
                }
                out.append(text[i])
                i += 1
            }
            return out
        }
    }

    /// Uniform sampling of `capacity` lines from a stream (reservoir sampling, Vitter's algorithm R),
    /// with a fixed seed so training is reproducible.
    struct ReservoirSampler {
        let capacity: Int
        private var seen = 0
        private var state: UInt64 = 12_345_678

        init(capacity: Int) { self.capacity = capacity }

        mutating func add<T>(_ item: T, into reservoir: inout [T]) {
            seen += 1
            if reservoir.count < capacity {
                reservoir.append(item)
            } else {
                let j = Int(next() % UInt64(seen))
                if j < capacity { reservoir[j] = item }
            }
        }

        /// splitmix64.
        private mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Runs `body` on `threads` contiguous shards of `0..<count` at once and returns the results in
    /// shard order.
    static func parallelShards<T>(count: Int, threads: Int, _ body: (Range<Int>) throws -> T) throws -> [T] {
        let shards = max(1, min(threads, count))
        let results = UnsafeMutablePointer<Result<T, Error>?>.allocate(capacity: shards)
        results.initialize(repeating: nil, count: shards)
        defer { results.deinitialize(count: shards); results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: shards) { s in
            let lo = count * s / shards, hi = count * (s + 1) / shards
            results[s] = Result { try body(lo..<hi) }
        }
        return try (0..<shards).map { try results[$0]!.get() }
    }

    /// Runs `body(t)` for t in 0..<threads at once and returns the results in order.
    static func parallelStrided<T>(threads: Int, _ body: (Int) -> T) -> [T] {
        let results = UnsafeMutablePointer<T?>.allocate(capacity: threads)
        results.initialize(repeating: nil, count: threads)
        defer { results.deinitialize(count: threads); results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: threads) { t in results[t] = body(t) }
        return (0..<threads).map { results[$0]! }
    }

    /// Progress lines on standard error when `verbose`.
    struct ProgressClock {
        let verbose: Bool
        let start = DispatchTime.now()

        func log(_ message: @autoclosure () -> String) {
            guard verbose else { return }
            let t = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            FileHandle.standardError.write(Data((String(format: "[trainer %7.2fs] ", t) + message() + "\n").utf8))
        }
    }
}
