/// GPT-2's pre-tokenization: text cut into the pieces BPE merges never cross, as the regular
/// expression of OpenAI's `encoder.py` (and Hugging Face's `ByteLevel` pre-tokenizer) cuts it:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// written out by hand over Unicode scalars. The classes are those of Python's `regex` and of
/// Oniguruma (Rust `tokenizers`), which agree: `\p{L}` is general category L (Lu Ll Lt Lm Lo),
/// `\p{N}` is N (Nd Nl No), and `\s` is the White_Space property, so U+0085, U+00A0 and U+3000
/// are spaces and the ASCII separators U+001C…U+001F are not (unlike Python's `re`). Only
/// U+0020 is the optional leading space; contractions are lower-case ASCII only.
public enum GPT2PreTokenizer {
    /// The pieces of `text`, in order; concatenated they give `text` back.
    public static func pieces(of text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return ranges(of: scalars).map { r in
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[r])
            return String(s)
        }
    }

    /// The pieces of `s` as ranges of scalar indices.
    static func ranges(of s: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        let n = s.count
        var i = 0
        while i < n {
            let end = pieceEnd(s, from: i)
            out.append(i..<end)
            i = end
        }
        return out
    }

    /// Where the piece starting at `i` ends: the first alternative of the regex that matches.
    private static func pieceEnd(_ s: [Unicode.Scalar], from i: Int) -> Int {
        let n = s.count
        // 's|'t|'re|'ve|'m|'ll|'d
        if s[i] == "'" && i + 1 < n {
            switch s[i + 1] {
            case "s", "t", "m", "d": return i + 2
            case "r" where i + 2 < n && s[i + 2] == "e": return i + 3
            case "v" where i + 2 < n && s[i + 2] == "e": return i + 3
            case "l" where i + 2 < n && s[i + 2] == "l": return i + 3
            default: break
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional U+0020, then a run of one class.
        let start = s[i] == " " && i + 1 < n ? i + 1 : i
        let kind = Kind(s[start])
        if kind != .space {
            var j = start + 1
            while j < n && Kind(s[j]) == kind { j += 1 }
            return j
        }
        // `\s+(?!\S)` gives back the last space of a run followed by a non-space (so it can lead
        // the next word); a single space before a non-space falls through to `\s+`.
        var j = i + 1
        while j < n && Kind(s[j]) == .space { j += 1 }
        return j < n && j - i > 1 ? j - 1 : j
    }

    /// The regex's classes of a scalar.
    enum Kind {
        case letter, number, space, other

        @inline(__always) init(_ c: Unicode.Scalar) {
            if c.value < 0x80 {
                self = Kind.ascii[Int(c.value)]
                return
            }
            let p = c.properties
            if p.isWhitespace {
                self = .space
                return
            }
            switch p.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: self = .letter
            case .decimalNumber, .letterNumber, .otherNumber: self = .number
            default: self = .other
            }
        }

        static let ascii: [Kind] = (0..<128).map { v -> Kind in
            switch v {
            case 0x09...0x0D, 0x20: .space
            case 0x30...0x39: .number
            case 0x41...0x5A, 0x61...0x7A: .letter
            default: .other
            }
        }
    }
}
