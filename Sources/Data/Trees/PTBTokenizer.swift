import Foundation

/// Raw English text → Penn Treebank tokens, so that text given to a parser trained on a treebank is
/// split the way the treebank's words were: punctuation split off (`,` `;` `:` `?` `!` `...` `--`
/// `$` `%`), clitics split (`can't` → `ca n't`, `they'll` → `they 'll`, `John's` → `John 's`),
/// opening double quotes written ``` `` ``` and closing ones `''`, brackets written `-LRB-` `-RRB-`
/// `-LSB-` `-RSB-` `-LCB-` `-RCB-` as the trees have them, and a period split off only at the end
/// of the text (one sentence a call: `Dr.` and `e.g.` inside stay whole). Decimals (`3.88`),
/// thousands (`1,500`), times (`10:30`) and hyphenated words (`well-known`) stay whole.
///
/// The rules are those of NLTK's `TreebankWordTokenizer` (itself the treebank's sed script),
/// applied in its order with the same regular expressions; the tests compare its output on
/// Tests/Fixtures/ptb-tokenizer (make_ptb_tokenizer_fixture.py).
public struct PTBTokenizer: Sendable {
    /// `(` → `-LRB-` and so on (the treebanks' spelling); false leaves brackets as they are.
    public var convertBrackets: Bool

    public init(convertBrackets: Bool = true) {
        self.convertBrackets = convertBrackets
    }

    /// The tokens of `text` (a sentence; a period ends only the whole text).
    public func tokenize(_ text: String) -> [String] {
        var text = text
        for rule in Self.startingQuotes + Self.punctuation { rule.apply(&text) }
        Self.bracketPadding.apply(&text)
        if convertBrackets { for rule in Self.bracketNames { rule.apply(&text) } }
        Self.doubleDash.apply(&text)
        text = " " + text + " "
        for rule in Self.endingQuotes + Self.contractions { rule.apply(&text) }
        return text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// A regular expression and its replacement template (`$1` for a group).
    struct Rule: @unchecked Sendable {  // NSRegularExpression is immutable, safe to share
        let regex: NSRegularExpression
        let template: String

        init(_ pattern: String, _ template: String) {
            // The patterns are constants that the tests run; one that fails to compile is a bug here.
            regex = try! NSRegularExpression(pattern: pattern)
            self.template = template
        }

        func apply(_ text: inout String) {
            text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
    }

    static let startingQuotes = [
        Rule(#"^""#, "``"),
        Rule("(``)", " $1 "),
        Rule(#"([ (\[{<])("|'{2})"#, "$1 `` "),
    ]

    static let punctuation = [
        Rule(#"([:,])([^\d])"#, " $1 $2"),
        Rule(#"([:,])$"#, " $1 "),
        Rule(#"\.\.\."#, " ... "),
        Rule(#"[;@#$%&]"#, " $0 "),
        Rule(#"([^.])(\.)([\])}>"']*)\s*$"#, "$1 $2$3 "),  // the final period
        Rule(#"[?!]"#, " $0 "),
        Rule(#"([^'])' "#, "$1 ' "),
    ]

    static let bracketPadding = Rule(#"[\]\[(){}<>]"#, " $0 ")

    static let bracketNames = [
        Rule(#"\("#, "-LRB-"), Rule(#"\)"#, "-RRB-"),
        Rule(#"\["#, "-LSB-"), Rule(#"\]"#, "-RSB-"),
        Rule(#"\{"#, "-LCB-"), Rule(#"\}"#, "-RCB-"),
    ]

    static let doubleDash = Rule("--", " -- ")

    static let endingQuotes = [
        Rule("''", " '' "),
        Rule(#"""#, " '' "),
        Rule(#"([^' ])('[sS]|'[mM]|'[dD]|') "#, "$1 $2 "),
        Rule(#"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "#, "$1 $2 "),
    ]

    /// Robert MacIntyre's list, as the treebank tokenizer has it: `cannot` → `can not`, `gonna` →
    /// `gon na`, `'tis` → `'t is`, ...
    static let contractions = [
        #"(?i)\b(can)(not)\b"#, #"(?i)\b(d)('ye)\b"#, #"(?i)\b(gim)(me)\b"#, #"(?i)\b(gon)(na)\b"#,
        #"(?i)\b(got)(ta)\b"#, #"(?i)\b(lem)(me)\b"#, #"(?i)\b(more)('n)\b"#, #"(?i)\b(wan)(na)(?=\s)"#,
        #"(?i) ('t)(is)\b"#, #"(?i) ('t)(was)\b"#,
    ].map { Rule($0, " $1 $2 ") }
}
