import CICU
import Foundation

/// Builds sentencepiece's precompiled charsmaps from ICU, as sentencepiece's normalizer builder
/// (src/builder.cc, Builder::BuildNFKCMap and friends) does when it generates the blobs it ships.
///
/// The rules come out of the linked ICU (72 on Debian 12: Unicode 15.0); the blobs in
/// sentencepiece 0.2.x were made with a newer ICU (Unicode 17.0), so characters new in Unicode
/// 16 and 17 have no rules in our maps (360 rules of nmt_nfkc, 415 of nmt_nfkc_cf; 37 and 92
/// code points). Everything else matches rule for rule, and `CharsMap.compile` lays rules out
/// byte for byte as sentencepiece does (see NormalizerTests).
public enum CharsMapBuilder {
    /// Rule names `build(name:)` knows.
    public static let ruleNames = ["nfkc", "nmt_nfkc", "nfkc_cf", "nmt_nfkc_cf", "identity"]

    /// The precompiled charsmap for a sentencepiece rule name: "nfkc", "nmt_nfkc", "nfkc_cf",
    /// "nmt_nfkc_cf", or "identity" (empty: no rules). Building normalizes every code point
    /// through ICU (about 1.5 s), so results are cached for the process and on disk, per ICU
    /// Unicode version (sentencepiece compiles the same maps into its library instead).
    public static func build(name: String) throws -> [UInt8] {
        if name == "identity" { return [] }
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let blob = cache.blobs[name] { return blob }
        let file = diskCacheDirectory?.appendingPathComponent("charsmap-\(name)-unicode-\(ICU.unicodeVersion)-v1.bin")
        if let file, let data = try? Data(contentsOf: file), (try? CharsMap(blob: Array(data))) != nil {
            cache.blobs[name] = Array(data)
            return Array(data)
        }
        let blob = try CharsMap.compile(try rules(name: name))
        cache.blobs[name] = blob
        if let file {  // best effort: a cache that cannot be written is only slower
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? Data(blob).write(to: file, options: .atomic)
        }
        return blob
    }

    /// `$XDG_CACHE_HOME/transformer-zoo` or `~/.cache/transformer-zoo`; nil when
    /// `TRANSFORMER_ZOO_NO_CACHE` is set.
    static var diskCacheDirectory: URL? {
        let env = ProcessInfo.processInfo.environment
        if env["TRANSFORMER_ZOO_NO_CACHE"] != nil { return nil }
        let base = env["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("transformer-zoo")
    }

    /// The rules (source code points → replacement code points) for a rule name, after
    /// sentencepiece's redundancy removal.
    public static func rules(name: String) throws -> [[UInt32]: [UInt32]] {
        switch name {
        case "identity": return [:]
        case "nfkc": return nfkcRules()
        case "nmt_nfkc": return nmtRules(nfkcRules())
        case "nfkc_cf": return caseFolded(nfkcRules())
        case "nmt_nfkc_cf": return caseFolded(nmtRules(nfkcRules()))
        default: throw CharsMapError.unknownRule(name)
        }
    }

    /// Rules from sentencepiece's TSV format (Builder::LoadCharsMap): per line, source code points
    /// in hex (optionally "U+"), a tab, replacement code points; a missing replacement deletes.
    /// Compiled with `CharsMap.compile` this gives the blob sentencepiece makes from the file.
    public static func rules(tsv: String) throws -> [[UInt32]: [UInt32]] {
        var rules: [[UInt32]: [UInt32]] = [:]
        for (number, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            func codePoints(_ field: Substring) throws -> [UInt32] {
                try field.split(separator: " ").map { token in
                    let hex = token.hasPrefix("U+") ? token.dropFirst(2) : token
                    guard let cp = UInt32(hex, radix: 16) else {
                        throw CharsMapError.invalidRules("line \(number + 1): '\(token)' is not a hex code point")
                    }
                    return cp
                }
            }
            let source = try codePoints(fields[0])
            guard !source.isEmpty else { throw CharsMapError.invalidRules("line \(number + 1): empty source") }
            rules[source] = fields.count > 1 ? try codePoints(fields[1]) : []
        }
        return rules
    }

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var blobs: [String: [UInt8]] = [:]
    }
    private static let cache = Cache()

    // MARK: - The rules, as in sentencepiece's builder.cc

    /// U_IS_UNICODE_CHAR: a scalar value that is not a noncharacter.
    static func isUnicodeChar(_ c: UInt32) -> Bool {
        (c < 0xD800 || (0xDFFF < c && c <= 0x10FFFF)) && !(c >= 0xFDD0 && c <= 0xFDEF) && c & 0xFFFE != 0xFFFE
    }

    /// The characters the builder's loops over all of Unicode need to look at. Unassigned and
    /// private-use code points (most of the code space) normalize and fold to themselves, so
    /// sentencepiece's loops get nothing from them; skipping them only saves time.
    static func mappableCharacters() -> [UInt32] {
        (UInt32(1)...0x10FFFF).filter { isUnicodeChar($0) && zoo_icu_is_unassigned_or_private_use($0) == 0 }
    }

    /// Builder::BuildNFKCMap: every character whose NFKC differs from itself, plus every
    /// sequence of characters whose NFKD is the full decomposition of some character and whose
    /// NFKC differs from that sequence (so "A" + U+0301 → "Á" is a rule).
    static func nfkcRules() -> [[UInt32]: [UInt32]] {
        var rules: [[UInt32]: [UInt32]] = [:]
        var decomposed = Set<[UInt32]>()
        var norm2orig: [UInt32: [UInt32]] = [:]  // NFKD character → characters that NFKD to it
        var buffer = [UInt32](repeating: 0, count: 32)
        for cp in mappableCharacters() {
            let nfkc = normalize(cp, form: ICU.nfkc, into: &buffer)
            if nfkc.count >= 2 || (nfkc.count == 1 && nfkc[0] != cp) { rules[[cp]] = nfkc }
            let nfkd = normalize(cp, form: ICU.nfkd, into: &buffer)
            if nfkd.count == 1 {
                norm2orig[nfkd[0], default: []].append(cp)
            } else {
                decomposed.insert(nfkd)
            }
        }
        for nfkd in decomposed {
            let nfkc = ICU.normalize(nfkd, form: ICU.nfkc)
            if nfkc == nfkd { continue }
            // Builder's ExpandUnnormalized: every sequence whose characters NFKD to `nfkd`'s.
            var expansions: [[UInt32]] = [[]]
            for c in nfkd {
                let origins = norm2orig[c]!
                expansions = expansions.flatMap { prefix in origins.map { prefix + [$0] } }
            }
            for original in expansions where original != nfkc { rules[original] = nfkc }
        }
        return removeRedundant(rules)
    }

    /// Builder::MergeNmtMap then RemoveRedundantMap: NMT-friendly whitespace and control
    /// characters on top of NFKC. The list is the one in sentencepiece 0.2.x's shipped nmt_nfkc
    /// blob (which also maps U+061C ARABIC LETTER MARK to a space).
    static func nmtRules(_ nfkc: [[UInt32]: [UInt32]]) -> [[UInt32]: [UInt32]] {
        var rules = nfkc
        let spaces: [UInt32] = [
            0x0009, 0x000A, 0x000C, 0x000D,  // TAB, LINE FEED, FORM FEED, CARRIAGE RETURN
            0x061C,  // ARABIC LETTER MARK
            0x1680,  // OGHAM SPACE MARK
            0x200B, 0x200C, 0x200E, 0x200F,  // ZERO WIDTH SPACE, ZWNJ, LRM, RLM
            0x2028, 0x2029,  // LINE SEPARATOR, PARAGRAPH SEPARATOR
            0x2581,  // LOWER ONE EIGHTH BLOCK (sentencepiece's own space symbol)
            0xFEFF,  // ZERO WIDTH NO-BREAK SPACE
            0xFFFD,  // REPLACEMENT CHARACTER
        ]
        for c in spaces { rules[[c]] = [0x20] }
        // ASCII control characters other than the whitespace above, and DEL, SS3, APC: removed.
        for c in UInt32(0x01)...0x1F where ![0x09, 0x0A, 0x0C, 0x0D].contains(c) { rules[[c]] = [] }
        for c: UInt32 in [0x7F, 0x8F, 0x9F] { rules[[c]] = [] }
        // FULLWIDTH TILDE stays: Japanese uses it differently from "~".
        rules[[0xFF5E]] = nil
        return removeRedundant(rules)
    }

    /// Builder::MergeUnicodeCaseFoldMap: fold every replacement character, add a rule for every
    /// character that simple case folding changes, then remove redundant rules.
    static func caseFolded(_ base: [[UInt32]: [UInt32]]) -> [[UInt32]: [UInt32]] {
        var rules = base
        for (source, target) in base { rules[source] = target.map(ICU.foldCase) }
        for cp in mappableCharacters() where rules[[cp]] == nil {
            let folded = ICU.foldCase(cp)
            if folded != cp { rules[[cp]] = [folded] }
        }
        return removeRedundant(rules)
    }

    /// Builder::RemoveRedundantMap: drop each rule of length n that the rules shorter than n
    /// already produce by longest-match rewriting.
    static func removeRedundant(_ rules: [[UInt32]: [UInt32]]) -> [[UInt32]: [UInt32]] {
        var kept: [[UInt32]: [UInt32]] = [:]
        var byLength: [Int: [([UInt32], [UInt32])]] = [:]
        for (source, target) in rules {
            if source.count == 1 { kept[source] = target } else { byLength[source.count, default: []].append((source, target)) }
        }
        let maxLength = byLength.keys.max() ?? 1
        if maxLength >= 2 {
            for length in 2...maxLength {
                var added: [([UInt32], [UInt32])] = []
                for (source, target) in byLength[length] ?? [] where target != rewrite(source, with: kept, maxLength: length - 1) {
                    added.append((source, target))
                }
                for (source, target) in added { kept[source] = target }
            }
        }
        return kept
    }

    /// Builder's Normalize: longest-match rewriting with rules of at most `maxLength` characters.
    static func rewrite(_ source: [UInt32], with rules: [[UInt32]: [UInt32]], maxLength: Int) -> [UInt32] {
        var out: [UInt32] = []
        var key: [UInt32] = []  // reused, so a lookup does not allocate
        key.reserveCapacity(maxLength)
        var i = 0
        while i < source.count {
            var length = min(maxLength, source.count - i)
            var found: [UInt32]?
            while length > 0 {
                key.removeAll(keepingCapacity: true)
                key.append(contentsOf: source[i..<(i + length)])
                if let t = rules[key] { found = t; break }
                length -= 1
            }
            if let found {
                out.append(contentsOf: found)
                i += length
            } else {
                out.append(source[i])
                i += 1
            }
        }
        return out
    }

    private static func normalize(_ cp: UInt32, form: Int32, into buffer: inout [UInt32]) -> [UInt32] {
        let n = buffer.withUnsafeMutableBufferPointer { zoo_icu_normalize_code_point(form, cp, $0.baseAddress!, Int32($0.count)) }
        if n > Int32(buffer.count) { return ICU.normalize([cp], form: form) }
        precondition(n >= 0, "ICU failed to normalize U+\(String(cp, radix: 16))")
        return Array(buffer[0..<Int(n)])
    }
}
