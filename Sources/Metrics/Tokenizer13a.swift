import Data

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
