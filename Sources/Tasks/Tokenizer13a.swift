/// The `13a` tokenizer of sacreBLEU (`sacrebleu/tokenizers/tokenizer_13a.py` and
/// `tokenizer_re.py`), itself a copy of mteval-v13a.pl's: BLEU's default tokenization for WMT.
///
/// It works on Unicode scalars, as Python's `str` does, never on Swift `Character`s: "é" and
/// "e\u{301}" are different tokens to sacreBLEU, so they are different here too.
///
/// ```swift
/// Tokenizer13a()("It costs $1,000.50, &quot;they&quot; said.")
/// // It costs $ 1,000.50 , " they " said .
/// ```
public struct Tokenizer13a: Sendable {
    /// The tokenizer's name in sacreBLEU's signature (`tok:13a`).
    public static let signature = "13a"

    public init() {}

    /// The line tokenized, tokens separated by single spaces: `Tokenizer13a.__call__`.
    public func callAsFunction(_ line: String) -> String {
        tokens(line).joined(separator: " ")
    }

    /// The line's tokens.
    public func tokens(_ line: String) -> [String] {
        tokenScalars(Array(line.unicodeScalars)).map { String(String.UnicodeScalarView($0)) }
    }

    /// The tokens as scalar arrays, the form the metrics count n-grams on.
    func tokenScalars(_ input: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        // Language-independent part, in sacreBLEU's order: each a Python str.replace.
        var line = PythonText.replace(input, "<skipped>", "")
        line = PythonText.replace(line, "-\n", "")
        line = PythonText.replace(line, "\n", " ")
        if line.contains("&") {
            line = PythonText.replace(line, "&quot;", "\"")
            line = PythonText.replace(line, "&amp;", "&")
            line = PythonText.replace(line, "&lt;", "<")
            line = PythonText.replace(line, "&gt;", ">")
        }
        return PythonText.split(Self.postTokenize([" "] + line + [" "]))
    }

    /// `TokenizerRegexp`'s four substitutions, each a left-to-right scan of non-overlapping
    /// two-character matches exactly as `re.sub` makes them:
    ///   1. `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `   (ASCII punctuation except `'` `,` `-` `.`)
    ///   2. `([^0-9])([\.,])` → `\1 \2 `                  (period and comma unless after a digit)
    ///   3. `([\.,])([^0-9])` → ` \1 \2`                  (period and comma unless before a digit)
    ///   4. `([0-9])(-)` → `\1 \2 `                        (dash after a digit)
    static func postTokenize(_ line: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var a: [Unicode.Scalar] = []
        a.reserveCapacity(line.count * 2)
        for c in line {
            if isPunctuation(c) { a += [" ", c, " "] } else { a.append(c) }
        }
        a = substitute(a) { x, y in !isDigit(x) && isPeriodOrComma(y) ? [x, " ", y, " "] : nil }
        a = substitute(a) { x, y in isPeriodOrComma(x) && !isDigit(y) ? [" ", x, " ", y] : nil }
        a = substitute(a) { x, y in isDigit(x) && y == "-" ? [x, " ", y, " "] : nil }
        return a
    }

    /// `re.sub` with a two-character pattern: where `replacement` matches at i, its result is
    /// written and the scan resumes at i + 2 (matches do not overlap).
    private static func substitute(_ s: [Unicode.Scalar], _ replacement: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]?) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count + s.count / 4)
        var i = 0
        while i < s.count {
            if i + 1 < s.count, let r = replacement(s[i], s[i + 1]) {
                out += r
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    private static func isPeriodOrComma(_ c: Unicode.Scalar) -> Bool { c == "." || c == "," }

    /// The character class of substitution 1: `{|}~`, ``[\]^_` ``, space to `&`, `()*+`, `:;<=>?@`, `/`.
    private static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: true
        default: false
        }
    }
}

/// The few Python `str` behaviours the sacreBLEU metrics rely on, on Unicode scalars.
enum PythonText {
    /// `str.isspace()`: the scalars `str.split()` and `str.rstrip()` treat as whitespace.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// `str.split()` with no separator: runs of whitespace separate, none are empty.
    static func split(_ s: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var parts: [[Unicode.Scalar]] = []
        var start = -1
        for (i, c) in s.enumerated() {
            if isSpace(c) {
                if start >= 0 { parts.append(Array(s[start..<i])); start = -1 }
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { parts.append(Array(s[start...])) }
        return parts
    }

    /// `str.rstrip()`.
    static func rstrip(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var end = s.count
        while end > 0 && isSpace(s[end - 1]) { end -= 1 }
        return Array(s[..<end])
    }

    /// `''.join(s.split())`: the line without any whitespace.
    static func removingSpaces(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        s.filter { !isSpace($0) }
    }

    /// `str.replace(old, new)`: every non-overlapping occurrence, left to right.
    static func replace(_ s: [Unicode.Scalar], _ old: String, _ new: String) -> [Unicode.Scalar] {
        let o = Array(old.unicodeScalars), n = Array(new.unicodeScalars)
        guard let first = o.first, s.count >= o.count, s.contains(first) else { return s }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == first && i + o.count <= s.count && s[i..<(i + o.count)].elementsEqual(o) {
                out += n
                i += o.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
