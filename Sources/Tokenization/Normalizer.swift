/// sentencepiece's text normalizer (src/normalizer.cc): character rewriting with the model's
/// precompiled charsmap (longest match at each position), then its whitespace handling: leading,
/// trailing and repeated spaces removed (`removeExtraWhitespaces`), a dummy "▁" prefix
/// (`addDummyPrefix`, or suffix with `treatWhitespaceAsSuffix`), and spaces escaped as "▁"
/// U+2581 (`escapeWhitespaces`). The output is byte for byte what sentencepiece produces.
///
/// Invalid UTF-8 is handled as sentencepiece does: each byte that does not start a well-formed
/// sequence becomes U+FFFD (and is counted) and the next byte is tried; nothing traps.
public final class Normalizer: @unchecked Sendable {
    /// The normalization settings, as in the model file.
    public let spec: NormalizerSpec
    /// TrainerSpec.treat_whitespace_as_suffix: the dummy "▁" goes at the end instead of the start.
    public let treatWhitespaceAsSuffix: Bool

    private let map: CharsMap?
    private let userSymbols: UserSymbolMatcher?
    /// For each ASCII byte: 0 = no rule starts with it (copy it); 1 = rules start with it but
    /// none is the byte alone and all continue with a non-ASCII byte (copy it when the next byte
    /// is ASCII); 2 = look it up.
    private let asciiClass: [UInt8]

    /// Builds the normalizer for `spec`: from `spec.precompiledCharsmap` when present, else from
    /// the rule named by `spec.name` compiled from ICU (`CharsMapBuilder`; "identity" and
    /// "user_defined" without a charsmap mean no rewriting).
    /// - Parameters:
    ///   - treatWhitespaceAsSuffix: TrainerSpec.treat_whitespace_as_suffix.
    ///   - userDefinedSymbols: the model's user-defined pieces, copied through unnormalized where
    ///     they occur (sentencepiece's PrefixMatcher, which SentencePieceProcessor installs).
    /// - Throws: `CharsMapError` for a corrupt charsmap or an unknown rule name.
    public init(spec: NormalizerSpec, treatWhitespaceAsSuffix: Bool = false, userDefinedSymbols: [String] = []) throws {
        self.spec = spec
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        var blob = spec.precompiledCharsmap
        if blob.isEmpty && spec.name != "identity" && spec.name != "user_defined" && !spec.name.isEmpty {
            blob = try CharsMapBuilder.build(name: spec.name)
        }
        map = blob.isEmpty ? nil : try CharsMap(blob: blob)
        userSymbols = UserSymbolMatcher(userDefinedSymbols)

        var classes = [UInt8](repeating: 0, count: 128)
        if let map {
            for b in 0..<128 { classes[b] = map.asciiClass(UInt8(b)) }
        }
        if let userSymbols {
            for b in 0..<128 where userSymbols.startsWith(UInt8(b)) { classes[b] = 2 }
        }
        asciiClass = classes
    }

    /// `text` normalized (sentencepiece's Normalizer::Normalize).
    public func normalize(_ text: String) -> String {
        var text = text
        return text.withUTF8 { input in
            var out: [UInt8] = []
            var offsets: [Int] = []
            _ = normalize(input, into: &out, offsets: &offsets, trackOffsets: false)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `bytes` normalized, with sentencepiece's norm_to_orig: `offsets[i]` is the byte offset in
    /// `bytes` that output byte `i` came from, plus one final entry (the input length consumed),
    /// so `offsets.count == normalized.count + 1` — except that an input which normalizes to
    /// nothing (empty or all spaces) gives empty offsets, as in sentencepiece.
    public func normalize(bytes: [UInt8]) -> (normalized: [UInt8], offsets: [Int]) {
        let result = normalizeCounting(bytes: bytes)
        return (result.normalized, result.offsets)
    }

    /// `normalize(bytes:)` plus the number of invalid UTF-8 bytes replaced with U+FFFD.
    public func normalizeCounting(bytes: [UInt8]) -> (normalized: [UInt8], offsets: [Int], invalidUTF8: Int) {
        var out: [UInt8] = []
        var offsets: [Int] = []
        let invalid = bytes.withUnsafeBufferPointer { normalize($0, into: &out, offsets: &offsets, trackOffsets: true) }
        return (out, offsets, invalid)
    }

    /// The core, for callers that reuse buffers: normalizes `input` into `out` (replacing its
    /// contents) and, when `trackOffsets`, fills `offsets` as `normalize(bytes:)` does.
    /// Returns the number of invalid UTF-8 bytes replaced with U+FFFD.
    @discardableResult
    public func normalize(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], offsets: inout [Int], trackOffsets: Bool) -> Int {
        out.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        guard let base = input.baseAddress, input.count > 0 else { return 0 }
        if let map {
            return map.units.withUnsafeBufferPointer { units in
                map.normalized.withUnsafeBufferPointer { strings in
                    asciiClass.withUnsafeBufferPointer { ascii in
                        run(base, input.count, units.baseAddress, strings.baseAddress, ascii.baseAddress!, &out, &offsets, trackOffsets)
                    }
                }
            }
        }
        return asciiClass.withUnsafeBufferPointer { ascii in
            run(base, input.count, nil, nil, ascii.baseAddress!, &out, &offsets, trackOffsets)
        }
    }

    /// One step of Normalizer::NormalizePrefix at `p` (with `n` bytes left): the bytes to emit
    /// (a pointer and length) and the number of input bytes consumed.
    @inline(__always)
    private func prefix(_ p: UnsafePointer<UInt8>, _ n: Int, _ units: UnsafePointer<UInt32>?, _ strings: UnsafePointer<UInt8>?,
                        _ ascii: UnsafePointer<UInt8>, _ replacement: UnsafePointer<UInt8>, _ invalid: inout Int)
        -> (piece: UnsafePointer<UInt8>, pieceLength: Int, consumed: Int) {
        let b = p[0]
        if b < 0x80 {
            let cls = ascii[Int(b)]
            if cls == 0 || (cls == 1 && (n == 1 || p[1] < 0x80)) { return (p, 1, 1) }
        }
        if let userSymbols, let length = userSymbols.longestMatch(p, n) { return (p, length, length) }
        if let units, let strings {
            let (length, value) = CharsMap.longestMatch(units: units, p, count: n)
            if length > 0 {
                let s = strings + value
                var end = 0
                while s[end] != 0 { end &+= 1 }
                return (s, end, length)
            }
        }
        let length = Self.validUTF8Length(p, n)
        if length == 0 {
            invalid &+= 1
            return (replacement, 3, 1)
        }
        return (p, length, length)
    }

    /// sentencepiece's IsValidDecodeUTF8 / DecodeUTF8: the length of the well-formed character
    /// at `p`, or 0 if the byte there does not start one (shortest form, no surrogates, ≤ U+10FFFF).
    @inline(__always)
    static func validUTF8Length(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let b0 = UInt32(p[0])
        if b0 < 0x80 { return 1 }
        @inline(__always) func trail(_ i: Int) -> Bool { p[i] & 0xC0 == 0x80 }
        @inline(__always) func valid(_ c: UInt32) -> Bool { c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF) }
        if n >= 2 && b0 & 0xE0 == 0xC0 {
            let c = (b0 & 0x1F) << 6 | UInt32(p[1] & 0x3F)
            return trail(1) && c >= 0x80 ? 2 : 0
        } else if n >= 3 && b0 & 0xF0 == 0xE0 {
            let c = (b0 & 0x0F) << 12 | UInt32(p[1] & 0x3F) << 6 | UInt32(p[2] & 0x3F)
            return trail(1) && trail(2) && c >= 0x800 && valid(c) ? 3 : 0
        } else if n >= 4 && b0 & 0xF8 == 0xF0 {
            let c = (b0 & 0x07) << 18 | UInt32(p[1] & 0x3F) << 12 | UInt32(p[2] & 0x3F) << 6 | UInt32(p[3] & 0x3F)
            return trail(1) && trail(2) && trail(3) && c >= 0x10000 && valid(c) ? 4 : 0
        }
        return 0
    }

    /// Normalizer::Normalize, step for step, writing into raw buffers (appending to arrays byte
    /// by byte costs several times more) that are copied into `out` and `offsets` at the end.
    private func run(_ start: UnsafePointer<UInt8>, _ count: Int, _ units: UnsafePointer<UInt32>?, _ strings: UnsafePointer<UInt8>?,
                     _ ascii: UnsafePointer<UInt8>, _ out: inout [UInt8], _ offsets: inout [Int], _ trackOffsets: Bool) -> Int {
        let replacement = Self.replacementBytes
        var invalid = 0
        var p = start
        var n = count
        var consumed = 0
        let removeExtra = spec.removeExtraWhitespaces
        let escape = spec.escapeWhitespaces

        // Leading spaces: every prefix that normalizes to exactly " ". (A bad byte never does,
        // and the main loop looks at it again, so it is not counted here.)
        if removeExtra {
            var ignored = 0
            while n > 0 {
                let r = prefix(p, n, units, strings, ascii, replacement, &ignored)
                if !(r.pieceLength == 1 && r.piece[0] == 0x20) { break }
                p += r.consumed; n -= r.consumed; consumed += r.consumed
            }
        }
        if n == 0 { return invalid }

        // Every byte takes at most 3 output bytes on the ASCII path; other pieces check space.
        var sink = Sink(capacity: 3 * n + 8, trackOffsets: trackOffsets)

        if !treatWhitespaceAsSuffix && spec.addDummyPrefix { sink.space(escape, consumed) }

        var isPrevSpace = removeExtra
        while n > 0 {
            // ASCII fast path: a byte no rule can start here is its own piece (the general path
            // below gives the same result, slower).
            if p[0] < 0x80 {
                var taken = 0
                while taken < n {
                    let b = p[taken]
                    if b >= 0x80 { break }
                    let cls = ascii[Int(b)]
                    if !(cls == 0 || (cls == 1 && (taken + 1 == n || p[taken + 1] < 0x80))) { break }
                    if b != 0x20 {
                        sink.byte(b, consumed &+ taken)
                        isPrevSpace = false
                    } else if !isPrevSpace {
                        sink.space(escape, consumed &+ taken)
                        isPrevSpace = removeExtra
                    }
                    taken &+= 1
                }
                if taken > 0 {
                    consumed &+= taken; p += taken; n &-= taken
                    continue
                }
            }
            let r = prefix(p, n, units, strings, ascii, replacement, &invalid)
            var piece = r.piece
            var length = r.pieceLength
            // Drop spaces at the start of this piece when the previous one ended with a space.
            while isPrevSpace && length > 0 && piece[0] == 0x20 { piece += 1; length -= 1 }
            if length > 0 {
                sink.reserve(3 * length + 3 * n + 8)
                for i in 0..<length {
                    let c = piece[i]
                    if escape && c == 0x20 { sink.space(true, consumed) } else { sink.byte(c, consumed) }
                }
                isPrevSpace = piece[length - 1] == 0x20
            }
            consumed += r.consumed
            p += r.consumed
            n -= r.consumed
            if !removeExtra { isPrevSpace = false }
        }

        // Trailing spaces (as emitted: "▁" when escaping, else " ").
        if removeExtra {
            let o = sink.bytes
            if escape {
                while sink.count >= 3 && o[sink.count - 3] == 0xE2 && o[sink.count - 2] == 0x96 && o[sink.count - 1] == 0x81 {
                    sink.count -= 3
                    if trackOffsets { consumed = sink.offsets[sink.count] }
                }
            } else {
                while sink.count >= 1 && o[sink.count - 1] == 0x20 {
                    sink.count -= 1
                    if trackOffsets { consumed = sink.offsets[sink.count] }
                }
            }
        }

        if treatWhitespaceAsSuffix && spec.addDummyPrefix {
            sink.reserve(3)
            sink.space(escape, consumed)
        }
        out.append(contentsOf: UnsafeBufferPointer(start: sink.bytes, count: sink.count))
        if trackOffsets {
            offsets.reserveCapacity(sink.count + 1)
            offsets.append(contentsOf: UnsafeBufferPointer(start: sink.offsets, count: sink.count))
            offsets.append(consumed)
        }
        sink.free()
        return invalid
    }

    /// U+FFFD's UTF-8, for pointers that outlive any array access.
    private static let replacementBytes: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 3)
        p[0] = 0xEF; p[1] = 0xBF; p[2] = 0xBD
        return UnsafePointer(p)
    }()
}

/// A growable output buffer of bytes and, optionally, their source offsets.
private struct Sink {
    var bytes: UnsafeMutablePointer<UInt8>
    var offsets: UnsafeMutablePointer<Int>
    var count = 0
    var capacity: Int
    let trackOffsets: Bool

    init(capacity: Int, trackOffsets: Bool) {
        self.capacity = capacity
        self.trackOffsets = trackOffsets
        bytes = .allocate(capacity: capacity)
        offsets = .allocate(capacity: trackOffsets ? capacity : 1)
    }

    func free() {
        bytes.deallocate()
        offsets.deallocate()
    }

    /// Makes room for `needed` bytes in all.
    @inline(__always)
    mutating func reserve(_ needed: Int) {
        if count + needed <= capacity { return }
        let newCapacity = max(capacity * 2, count + needed)
        let newBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBytes.update(from: bytes, count: count)
        bytes.deallocate()
        bytes = newBytes
        if trackOffsets {
            let newOffsets = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
            newOffsets.update(from: offsets, count: count)
            offsets.deallocate()
            offsets = newOffsets
        }
        capacity = newCapacity
    }

    @inline(__always)
    mutating func byte(_ b: UInt8, _ offset: Int) {
        bytes[count] = b
        if trackOffsets { offsets[count] = offset }
        count &+= 1
    }

    /// "▁" (U+2581) when escaping, else " ".
    @inline(__always)
    mutating func space(_ escape: Bool, _ offset: Int) {
        if escape {
            bytes[count] = 0xE2; bytes[count &+ 1] = 0x96; bytes[count &+ 2] = 0x81
            if trackOffsets { offsets[count] = offset; offsets[count &+ 1] = offset; offsets[count &+ 2] = offset }
            count &+= 3
        } else {
            byte(0x20, offset)
        }
    }
}

extension CharsMap {
    /// How `Normalizer` may treat ASCII byte `b` without a trie lookup (see `asciiClass` there).
    func asciiClass(_ b: UInt8) -> UInt8 {
        let size = units.count
        let root = Int(Self.unitOffset(units[0]))
        let node = root ^ Int(b)
        guard node < size, units[node] & 0x8000_00FF == UInt32(b) else { return 0 }  // no rule starts with b
        let unit = units[node]
        if unit & 0x100 != 0 { return 2 }  // b alone is a rule
        let base = node ^ Int(Self.unitOffset(unit))
        for c in 1..<0x80 where base ^ c < size && units[base ^ c] & 0x8000_00FF == UInt32(c) { return 2 }
        return 1
    }
}

/// sentencepiece's PrefixMatcher over user-defined symbols: the longest symbol at a position.
private struct UserSymbolMatcher {
    /// Symbols by first byte, longest first.
    private var byFirstByte: [[[UInt8]]] = Array(repeating: [], count: 256)

    init?(_ symbols: [String]) {
        let keys = symbols.map { Array($0.utf8) }.filter { !$0.isEmpty }
        guard !keys.isEmpty else { return nil }
        for key in Set(keys) { byFirstByte[Int(key[0])].append(key) }
        for i in 0..<256 { byFirstByte[i].sort { $0.count > $1.count } }
    }

    func startsWith(_ b: UInt8) -> Bool { !byFirstByte[Int(b)].isEmpty }

    @inline(__always)
    func longestMatch(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let candidates = byFirstByte[Int(p[0])]
        if candidates.isEmpty { return nil }
        for key in candidates where key.count <= n {
            var i = 1
            while i < key.count && key[i] == p[i] { i += 1 }
            if i == key.count { return key.count }
        }
        return nil
    }
}
