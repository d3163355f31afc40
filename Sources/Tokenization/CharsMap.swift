/// A problem with a precompiled charsmap blob or with building one.
public enum CharsMapError: Error, CustomStringConvertible, Equatable {
    /// The blob is too short to hold the 4-byte trie size and any trie.
    case truncated(blobSize: Int)
    /// The trie size in the header does not fit in the blob.
    case trieSizeExceedsBlob(trieSize: Int, blobSize: Int)
    /// The trie size is not a whole number of 4-byte units, or is zero.
    case badTrieSize(Int)
    /// A trie unit points outside the trie or a value outside the normalized strings.
    case corruptTrie(String)
    /// `CharsMapBuilder` does not know this rule name.
    case unknownRule(String)
    /// A rule set that cannot be compiled (e.g. too many rules share a prefix).
    case invalidRules(String)

    public var description: String {
        switch self {
        case .truncated(let size):
            return "precompiled charsmap is broken: \(size) bytes is too short for a header and a trie"
        case .trieSizeExceedsBlob(let trie, let blob):
            return "precompiled charsmap is broken: trie size \(trie) bytes exceeds the blob (\(blob) bytes)"
        case .badTrieSize(let size):
            return "precompiled charsmap is broken: trie size \(size) bytes is not a positive multiple of 4"
        case .corruptTrie(let detail):
            return "precompiled charsmap is broken: \(detail)"
        case .unknownRule(let name):
            return "unknown normalization rule '\(name)' (known: nfkc, nmt_nfkc, nfkc_cf, nmt_nfkc_cf, identity)"
        case .invalidRules(let detail):
            return "cannot compile normalization rules: \(detail)"
        }
    }
}

/// sentencepiece's `precompiled_charsmap`: rewrite rules from UTF-8 strings to UTF-8 strings,
/// stored as `<trie size: UInt32 LE><darts-clone double-array trie><normalized strings>`
/// (sentencepiece normalizer.cc, EncodePrecompiledCharsMap). A trie key is the UTF-8 of the source
/// characters; its value is the byte offset of the NUL-terminated replacement in the strings part.
/// Normalization applies the longest matching rule at each position.
public struct CharsMap: Sendable {
    /// Double-array units, padded with zero units to whole 256-unit blocks so every child index
    /// a validated unit can produce is in bounds.
    let units: [UInt32]
    /// The replacement strings, with a NUL appended (a value may point at the very end, where
    /// sentencepiece reads the terminator of its std::string).
    let normalized: [UInt8]

    /// The largest number of matches sentencepiece's normalizer considers at one position
    /// (Normalizer::kMaxTrieResultsSize); the builder guarantees fewer.
    static let maxTrieResults = 32

    /// Reads and validates a blob. Throws `CharsMapError` for any blob whose trie could make a
    /// lookup leave the arrays; never traps.
    public init(blob: [UInt8]) throws {
        guard blob.count > 4 else { throw CharsMapError.truncated(blobSize: blob.count) }
        let trieSize = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieSize <= blob.count - 4 else {
            throw CharsMapError.trieSizeExceedsBlob(trieSize: trieSize, blobSize: blob.count)
        }
        guard trieSize > 0, trieSize % 4 == 0 else { throw CharsMapError.badTrieSize(trieSize) }
        let count = trieSize / 4
        let padded = (count + 255) & ~255
        var units = [UInt32](repeating: 0, count: padded)
        for i in 0..<count {
            let b = 4 + 4 * i
            units[i] = UInt32(blob[b]) | UInt32(blob[b + 1]) << 8 | UInt32(blob[b + 2]) << 16 | UInt32(blob[b + 3]) << 24
        }
        var normalized = Array(blob[(4 + trieSize)...])
        let stringsSize = normalized.count
        normalized.append(0)
        try Self.validate(units, stringsSize: stringsSize)
        self.units = units
        self.normalized = normalized
    }

    /// The checks of darts-clone's DoubleArray::validate() (which newer sentencepiece runs on
    /// load), plus: every reachable value is an offset into the normalized strings.
    private static func validate(_ units: [UInt32], stringsSize: Int) throws {
        let size = units.count
        let root = units[0]
        guard root & 0x8000_00FF == 0, root & 0x100 == 0, unitOffset(root) != 0, Int(unitOffset(root) | 0xFF) < size else {
            throw CharsMapError.corruptTrie("the root unit is not a valid node")
        }
        for i in 0..<size {
            let unit = units[i]
            if unit & 0x8000_0000 != 0 { continue }  // a value unit
            let base = i ^ Int(unitOffset(unit))
            guard base | 0xFF < size else {
                throw CharsMapError.corruptTrie("unit \(i) points to unit \(base), beyond the \(size)-unit trie")
            }
            if unit & 0x100 != 0 {
                let value = Int(units[base] & 0x7FFF_FFFF)
                guard value <= stringsSize else {
                    throw CharsMapError.corruptTrie("unit \(base) holds offset \(value), beyond the \(stringsSize)-byte normalized strings")
                }
            }
        }
    }

    @inline(__always)
    static func unitOffset(_ unit: UInt32) -> UInt32 {
        (unit >> 10) << ((unit & (1 << 9)) >> 6)
    }

    /// The longest rule matching a prefix of `input[0..<count]`, as sentencepiece's
    /// Normalizer::NormalizePrefix finds it (darts-clone commonPrefixSearch, at most 32 results):
    /// `length` 0 when no rule matches, else the key's byte length and the replacement's offset.
    @inline(__always)
    static func longestMatch(units: UnsafePointer<UInt32>, _ input: UnsafePointer<UInt8>, count: Int) -> (length: Int, value: Int) {
        var nodePos = Int(unitOffset(units[0]))
        var length = 0, value = 0, results = 0
        var i = 0
        while i < count {
            let c = input[i]
            nodePos ^= Int(c)
            let unit = units[nodePos]
            if unit & 0x8000_00FF != UInt32(c) { break }
            nodePos ^= Int(unitOffset(unit))
            i &+= 1
            if unit & 0x100 != 0 {
                if results < maxTrieResults {
                    length = i
                    value = Int(units[nodePos] & 0x7FFF_FFFF)
                }
                results &+= 1
            }
        }
        return (length, value)
    }

    /// The longest rule matching a prefix of `bytes`: the key length and the replacement bytes,
    /// or nil when none matches.
    public func match(_ bytes: [UInt8]) -> (length: Int, replacement: [UInt8])? {
        let (length, value) = units.withUnsafeBufferPointer { u in
            bytes.withUnsafeBufferPointer { b in
                b.count == 0 ? (0, 0) : Self.longestMatch(units: u.baseAddress!, b.baseAddress!, count: b.count)
            }
        }
        guard length > 0 else { return nil }
        return (length, replacement(at: value))
    }

    func replacement(at value: Int) -> [UInt8] {
        var end = value
        while normalized[end] != 0 { end += 1 }
        return Array(normalized[value..<end])
    }

    /// Every rule in the trie, source UTF-8 bytes → replacement bytes (sentencepiece's
    /// Builder::DecompileCharsMap). A corrupt trie can be cyclic: the walk then stops early.
    public func rules() -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        var key: [UInt8] = []
        var budget = 64 * units.count + 1_000_000
        func visit(_ node: Int) {
            budget -= 1
            guard key.count < 64, budget > 0 else { return }
            let base = node ^ Int(Self.unitOffset(units[node]))
            for c in 1...255 {
                let child = base ^ c
                let unit = units[child]
                guard unit & 0x8000_00FF == UInt32(c) else { continue }
                key.append(UInt8(c))
                if unit & 0x100 != 0 {
                    let leaf = child ^ Int(Self.unitOffset(unit))
                    result[key] = replacement(at: Int(units[leaf] & 0x7FFF_FFFF))
                }
                visit(child)
                key.removeLast()
            }
        }
        visit(0)
        return result
    }

    /// Compiles rules (source code points → replacement code points) into a blob exactly as
    /// sentencepiece's Builder::CompileCharsMap does: replacements deduplicated and laid out in
    /// sorted order, each NUL-terminated; keys sorted bytewise into a darts-clone trie.
    public static func compile(_ rules: [[UInt32]: [UInt32]]) throws -> [UInt8] {
        guard !rules.isEmpty else { throw CharsMapError.invalidRules("no rules") }
        func utf8(_ cps: [UInt32]) throws -> [UInt8] {
            var out: [UInt8] = []
            for cp in cps {
                guard let scalar = Unicode.Scalar(cp) else {
                    throw CharsMapError.invalidRules("U+\(String(cp, radix: 16, uppercase: true)) is not a Unicode scalar value")
                }
                out.append(contentsOf: UTF8.encode(scalar)!)
            }
            return out
        }
        var targets: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        var keyValues: [([UInt8], [UInt8])] = []
        keyValues.reserveCapacity(rules.count)
        for (source, target) in rules {
            let key = try utf8(source)
            guard !key.isEmpty else { throw CharsMapError.invalidRules("a rule has an empty source") }
            let value = try utf8(target)
            if seen.insert(value).inserted { targets.append(value) }
            keyValues.append((key, value))
        }
        // UTF-8 byte order is code-point order, so this is std::map<Chars, int>'s order.
        targets.sort { $0.lexicographicallyPrecedes($1) }
        var normalized: [UInt8] = []
        var position: [[UInt8]: Int32] = [:]
        for t in targets {
            position[t] = Int32(normalized.count)
            normalized.append(contentsOf: t)
            normalized.append(0)
        }
        keyValues.sort { $0.0.lexicographicallyPrecedes($1.0) }
        let keys = keyValues.map { $0.0 }
        let values = keyValues.map { position[$0.1]! }
        let units: [UInt32]
        do {
            units = try DoubleArrayBuilder.build(keys: keys, values: values)
        } catch {
            throw CharsMapError.invalidRules("\(error)")
        }

        // sentencepiece refuses maps where a key has kMaxTrieResultsSize or more prefixes.
        try units.withUnsafeBufferPointer { u in
            for key in keys {
                var count = 0
                try key.withUnsafeBufferPointer { k in
                    var nodePos = Int(unitOffset(u[0]))
                    for c in k {
                        nodePos ^= Int(c)
                        let unit = u[nodePos]
                        guard unit & 0x8000_00FF == UInt32(c) else { break }
                        nodePos ^= Int(unitOffset(unit))
                        if unit & 0x100 != 0 { count += 1 }
                    }
                    if count >= maxTrieResults {
                        throw CharsMapError.invalidRules("\(count) rules share a prefix with \(k.count)-byte key; fewer than \(maxTrieResults) are allowed")
                    }
                }
            }
        }

        var blob: [UInt8] = []
        blob.reserveCapacity(4 + units.count * 4 + normalized.count)
        let trieSize = UInt32(units.count * 4)
        for shift in stride(from: 0, to: 32, by: 8) { blob.append(UInt8(truncatingIfNeeded: trieSize >> UInt32(shift))) }
        for unit in units {
            for shift in stride(from: 0, to: 32, by: 8) { blob.append(UInt8(truncatingIfNeeded: unit >> UInt32(shift))) }
        }
        blob.append(contentsOf: normalized)
        return blob
    }
}
