import Foundation

/// GPT-2's tokenizer (Radford et al. 2019, §2.2): byte-level BPE over UTF-8, read from a Hugging
/// Face `vocab.json` (token → id) and `merges.txt` (one merge a line, by rank), giving the same ids
/// as `GPT2TokenizerFast` and OpenAI's `encoder.py`.
///
/// Encoding cuts the text at `<|endoftext|>` (encoded as its id, as Hugging Face does), cuts the
/// rest into pieces (`GPT2PreTokenizer`), writes each piece's UTF-8 bytes as printable characters
/// (`bytesToUnicode`) and merges adjacent symbols lowest rank first. Decoding maps the characters
/// back to bytes; bytes that are not valid UTF-8 become U+FFFD (Python's `errors="replace"`).
///
/// ```swift
/// let gpt2 = try ByteLevelBPETokenizer(directory: "Zoo/gpt2")
/// let ids = gpt2.encode("Hello world")   // [15496, 995] with GPT-2's own files
/// gpt2.decode(ids)                       // "Hello world"
/// ```
public final class ByteLevelBPETokenizer: TextTokenizer, @unchecked Sendable {
    /// The end-of-text token of GPT-2's vocabulary.
    public static let endOfText = "<|endoftext|>"

    /// Tokens by id (`nil` where vocab.json skips an id).
    public let tokens: [String?]
    /// Ids by token, as in vocab.json.
    public let vocabulary: [String: Int32]
    public var vocabularySize: Int { tokens.count }
    public let endOfTextId: Int32?
    /// GPT-2 has no separate beginning-of-text token; documents are separated by end-of-text.
    public var beginningOfTextId: Int32? { nil }

    /// Merges by (left id, right id): rank and the merged token's id.
    private let merges: [UInt64: (rank: Int32, id: Int32)]
    /// Id of the single-byte token of each byte (-1 when the vocabulary lacks it: such bytes are
    /// dropped, as Hugging Face's BPE without an unknown token drops them).
    private let byteIds: [Int32]
    /// Each id's bytes, for decoding.
    private let tokenBytes: [[UInt8]]
    /// Ids of pieces already encoded (pieces repeat a lot: words, spaces).
    private var cache: [[UInt8]: [Int32]] = [:]
    private let cacheLock = NSLock()
    private static let cacheLimit = 100_000

    /// Reads GPT-2's `vocab.json` and `merges.txt`.
    public init(vocabJSON vocabPath: String, merges mergesPath: String) throws {
        let vocab = try Self.readVocab(vocabPath)
        var tokens = [String?](repeating: nil, count: (vocab.values.max() ?? -1) + 1)
        for (token, id) in vocab { tokens[id] = token }
        self.tokens = tokens
        let ids = vocab.mapValues { Int32($0) }
        vocabulary = ids
        endOfTextId = ids[Self.endOfText]

        let unicode = bytesToUnicode()
        byteIds = unicode.map { ids[String($0)] ?? -1 }
        var byteOf: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in unicode.enumerated() { byteOf[c] = UInt8(b) }
        tokenBytes = tokens.map { token in
            guard let token else { return [] }
            // A token outside the byte alphabet (an added token) stands for its own UTF-8, as in
            // Hugging Face's ByteLevel decoder.
            var bytes: [UInt8] = []
            for c in token.unicodeScalars {
                guard let b = byteOf[c] else { return Array(token.utf8) }
                bytes.append(b)
            }
            return bytes
        }
        merges = try Self.readMerges(mergesPath, ids: ids, vocabPath: vocabPath)
    }

    /// Reads `vocab.json` and `merges.txt` from `directory`.
    public convenience init(directory: String) throws {
        let dir = URL(fileURLWithPath: directory)
        try self.init(vocabJSON: dir.appendingPathComponent("vocab.json").path,
                      merges: dir.appendingPathComponent("merges.txt").path)
    }

    /// The token of `id`, as written in vocab.json.
    public func token(_ id: Int32) -> String? { id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil }

    // MARK: - Encoding

    public func encode(_ text: String) -> [Int32] {
        var out: [Int32] = []
        // Matched scalar by scalar, not by Character: a combining mark after `>` must not hide it.
        let scalars = Array(text.unicodeScalars)
        var start = 0
        if let eot = endOfTextId {
            let special = Array(Self.endOfText.unicodeScalars)
            var i = 0
            while i + special.count <= scalars.count {
                if scalars[i] == special[0] && scalars[i..<(i + special.count)].elementsEqual(special) {
                    encodeOrdinary(scalars[start..<i], into: &out)
                    out.append(eot)
                    i += special.count
                    start = i
                } else {
                    i += 1
                }
            }
        }
        encodeOrdinary(scalars[start...], into: &out)
        return out
    }

    /// Encodes text holding no special token.
    private func encodeOrdinary(_ text: ArraySlice<Unicode.Scalar>, into out: inout [Int32]) {
        if text.isEmpty { return }
        let scalars = Array(text)
        var piece: [UInt8] = []
        for r in GPT2PreTokenizer.ranges(of: scalars) {
            piece.removeAll(keepingCapacity: true)
            for c in scalars[r] { piece.append(contentsOf: c.utf8) }
            out += encodePiece(piece)
        }
    }

    /// Ids of one pre-tokenizer piece's UTF-8, through the cache. The cache is keyed by bytes, not
    /// by String, whose equality is canonical equivalence ("가" == "\u{1100}\u{1161}").
    private func encodePiece(_ piece: [UInt8]) -> [Int32] {
        cacheLock.lock()
        let cached = cache[piece]
        cacheLock.unlock()
        if let cached { return cached }
        let result = bpe(piece.compactMap { byteIds[Int($0)] >= 0 ? byteIds[Int($0)] : nil })
        cacheLock.lock()
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[piece] = result
        cacheLock.unlock()
        return result
    }

    /// Merges adjacent symbols, lowest rank first and leftmost first among equals, as Hugging
    /// Face's `Word::merge_all`: the symbols form a linked list, candidate pairs wait in a heap,
    /// and a popped pair is skipped when a merge since its push has changed either side.
    private func bpe(_ initial: [Int32]) -> [Int32] {
        if initial.count < 2 { return initial }
        var id = initial
        var prev = Array(-1..<(initial.count - 1))
        var next = Array(1...initial.count)
        next[initial.count - 1] = -1
        var alive = [Bool](repeating: true, count: initial.count)
        var heap = StdPriorityQueue<MergeCandidate>()
        for i in 0..<(id.count - 1) {
            if let m = merges[pairKey(id[i], id[i + 1])] { heap.push(.init(rank: m.rank, position: i, id: m.id)) }
        }
        while let top = heap.pop() {
            let p = top.position
            guard alive[p], next[p] >= 0 else { continue }
            let q = next[p]
            guard let m = merges[pairKey(id[p], id[q])], m.id == top.id else { continue }
            id[p] = m.id
            alive[q] = false
            next[p] = next[q]
            if next[q] >= 0 { prev[next[q]] = p }
            if prev[p] >= 0, let m = merges[pairKey(id[prev[p]], id[p])] {
                heap.push(.init(rank: m.rank, position: prev[p], id: m.id))
            }
            if next[p] >= 0, let m = merges[pairKey(id[p], id[next[p]])] {
                heap.push(.init(rank: m.rank, position: p, id: m.id))
            }
        }
        var out: [Int32] = []
        var i = 0
        while i >= 0 {
            out.append(id[i])
            i = next[i]
        }
        return out
    }

    // MARK: - Decoding

    /// The text of `ids`: their bytes joined, invalid UTF-8 replaced by U+FFFD. End-of-text (a
    /// control token) and ids outside the vocabulary decode to nothing.
    public func decode(_ ids: [Int32]) -> String {
        var bytes: [UInt8] = []
        for id in ids where id >= 0 && Int(id) < tokenBytes.count && id != endOfTextId {
            bytes += tokenBytes[Int(id)]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Reading the files

    private static func readVocab(_ path: String) throws -> [String: Int] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ByteLevelBPEError.cannotRead(path: path, reason: readFailure(error))
        }
        let vocab: [String: Int]
        do { vocab = try JSONDecoder().decode([String: Int].self, from: data) } catch let error as DecodingError {
            throw ByteLevelBPEError.invalidVocabulary(path: path, reason: describe(error))
        }
        if vocab.isEmpty { throw ByteLevelBPEError.invalidVocabulary(path: path, reason: "no tokens") }
        var tokenOf: [Int: String] = [:]
        for (token, id) in vocab.sorted(by: { $0.key < $1.key }) {
            guard id >= 0 && id < Int(Int32.max) else {
                throw ByteLevelBPEError.invalidVocabulary(path: path, reason: "token \(quoted(token)) has id \(id), outside 0..<2³¹")
            }
            if let other = tokenOf.updateValue(token, forKey: id) {
                throw ByteLevelBPEError.invalidVocabulary(path: path, reason: "id \(id) is given to both \(quoted(other)) and \(quoted(token))")
            }
        }
        return vocab
    }

    /// Reads the merges; a first line `#version: …` is skipped, as are blank lines.
    private static func readMerges(_ path: String, ids: [String: Int32], vocabPath: String) throws -> [UInt64: (rank: Int32, id: Int32)] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ByteLevelBPEError.cannotRead(path: path, reason: readFailure(error))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ByteLevelBPEError.invalidMerge(path: path, line: 0, reason: "the file is not UTF-8 text")
        }
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        var rank: Int32 = 0
        let vocabName = (vocabPath as NSString).lastPathComponent
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || (index == 0 && line.hasPrefix("#version")) { continue }
            func failure(_ reason: String) -> ByteLevelBPEError { .invalidMerge(path: path, line: index + 1, reason: reason) }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw failure("expected two tokens separated by one space, found \(quoted(String(line)))")
            }
            let left = String(parts[0]), right = String(parts[1])
            guard let a = ids[left] else { throw failure("token \(quoted(left)) is not in \(vocabName)") }
            guard let b = ids[right] else { throw failure("token \(quoted(right)) is not in \(vocabName)") }
            guard let merged = ids[left + right] else { throw failure("the merged token \(quoted(left + right)) is not in \(vocabName)") }
            let key = pairKey(a, b)
            if merges[key] == nil { merges[key] = (rank, merged) }  // a repeated merge keeps its first rank
            rank += 1
        }
        return merges
    }

    private static func readFailure(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            if let key = context.codingPath.last?.stringValue, !key.isEmpty {
                return "the id of token \(quoted(key)) is not an integer"
            }
            return "expected a JSON object of token → id"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "not valid JSON" + (underlying.map { ": \($0)" } ?? (context.debugDescription.isEmpty ? "" : ": \(context.debugDescription)"))
        case .keyNotFound(let key, _):
            return "missing \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A malformed or unreadable GPT-2 tokenizer file.
public enum ByteLevelBPEError: Error, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case invalidVocabulary(path: String, reason: String)
    /// `line` counts from 1 (0: the whole file).
    case invalidMerge(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): "\(path): cannot read: \(reason)"
        case .invalidVocabulary(let path, let reason): "\(path): invalid GPT-2 vocabulary: \(reason)"
        case .invalidMerge(let path, let line, let reason):
            line > 0 ? "\(path):\(line): invalid merge: \(reason)" : "\(path): invalid merges file: \(reason)"
        }
    }
}

/// GPT-2's `bytes_to_unicode`: a printable character for each byte, so BPE works on text with no
/// spaces or control characters. The printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for
/// themselves; the other 68 take U+0100, U+0101, … in byte order (space is `Ġ`, newline `Ċ`).
public func bytesToUnicode() -> [Unicode.Scalar] {
    var table = [Unicode.Scalar](repeating: " ", count: 256)
    var n: UInt32 = 0
    for b in 0..<256 {
        let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
        if printable {
            table[b] = Unicode.Scalar(UInt32(b))!
        } else {
            table[b] = Unicode.Scalar(256 + n)!
            n += 1
        }
    }
    return table
}

@inline(__always) private func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

private func quoted(_ s: String) -> String {
    "\"" + s.unicodeScalars.map { $0.value < 0x20 || $0 == "\"" ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
}

/// A candidate merge; the lowest (rank, position) pops first, as Hugging Face merges.
private struct MergeCandidate: HeapOrdered {
    var rank: Int32
    var position: Int
    var id: Int32

    /// `a` pops after `b`.
    static func heapLess(_ a: MergeCandidate, _ b: MergeCandidate) -> Bool {
        a.rank != b.rank ? a.rank > b.rank : a.position > b.position
    }
}
