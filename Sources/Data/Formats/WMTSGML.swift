import Foundation

/// A WMT (NIST mteval) SGML test set file:
///
/// ```
/// <refset setid="newstest2014" srclang="any" trglang="de">
/// <doc sysid="ref" docid="1012-bbc" genre="news" origlang="en">
/// <p>
/// <seg id="1">Die Premierminister Indiens und Japans trafen sich in Tokio.</seg>
/// ...
/// </doc>
/// </refset>
/// ```
///
/// Segments are read in file order with their document and id. As in WMT's files (and as
/// sacreBLEU extracts them) a segment sits on one line; its text has the entities `&amp;`
/// `&lt;` `&gt;` `&quot;` `&apos;` and numeric references decoded (an `&` that starts none of
/// them is kept as it is, as WMT files have bare ones), and its whitespace trimmed and collapsed
/// to single spaces as sacreBLEU does. Tag names are case-insensitive; tags other than the sets,
/// `doc` and `seg` (`<p>`, `<hl>`) are skipped. Anything malformed is an error naming the file
/// and line: a tag without its `>`, a `<seg>` outside a `<doc>`, without an id or not closed on
/// its line, a `<doc>` without a docid or outside a set, a closing tag that closes nothing, a
/// file that ends inside a document.
public struct WMTSGML: Equatable, Sendable {
    /// One `<seg>`: its document, its id there and its text.
    public struct Segment: Equatable, Sendable {
        /// The `docid` of the segment's document.
        public var document: String
        /// The segment's `id` attribute.
        public var id: String
        public var text: String
        /// 1-based line of the segment in its file.
        public var line: Int
    }

    /// The first set's tag: `srcset`, `refset` or `tstset`.
    public var kind: String
    /// The first set's attributes (`setid`, `srclang`, `trglang`), keys lowercased.
    public var attributes: [String: String]
    /// Every segment of every document, in file order.
    public var segments: [Segment]

    static let setTags: Set<String> = ["srcset", "refset", "tstset"]

    /// Reads and parses an SGML file.
    public static func read(_ path: String) throws -> WMTSGML {
        try parse(lines: ParallelCorpus.readLines(path), file: path)
    }

    /// Parses SGML text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> WMTSGML {
        try parse(lines: text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }, file: file)
    }

    static func parse(lines: [String], file: String) throws -> WMTSGML {
        var parser = Parser(file: file)
        for (i, line) in lines.enumerated() {
            try parser.parse(line: Array(line.unicodeScalars), number: i + 1)
        }
        return try parser.finish()
    }

    /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`, `&#N;` and `&#xH;` decoded in one pass (so
    /// `&amp;lt;` is `&lt;`); other `&`s are kept.
    public static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        let a = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < a.count {
            if a[i] == "&", let semi = a[(i + 1)...].prefix(12).firstIndex(of: ";") {
                let name = String(String.UnicodeScalarView(a[(i + 1)..<semi]))
                var decoded: Unicode.Scalar?
                switch name {
                case "amp": decoded = "&"
                case "lt": decoded = "<"
                case "gt": decoded = ">"
                case "quot": decoded = "\""
                case "apos": decoded = "'"
                default:
                    if name.hasPrefix("#x") || name.hasPrefix("#X") {
                        decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                    } else if name.hasPrefix("#") {
                        decoded = UInt32(name.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                    }
                }
                if let decoded {
                    out.append(decoded)
                    i = semi + 1
                    continue
                }
            }
            out.append(a[i])
            i += 1
        }
        return String(out)
    }

    /// The line-by-line reader: which set and document are open, and where they opened.
    private struct Parser {
        let file: String
        var kind: String?
        var attributes: [String: String] = [:]
        var segments: [Segment] = []
        var openSet: (tag: String, line: Int)?
        var openDocument: (id: String, line: Int)?
        var segmentIDs: Set<String> = []
        /// The line of the `<!--` whose `-->` is still to come.
        var comment: Int?

        init(file: String) { self.file = file }

        func error(_ line: Int, _ message: String) -> ParallelCorpusError {
            .malformedSGML(file: file, line: line, message: message)
        }

        mutating func parse(line a: [Unicode.Scalar], number: Int) throws {
            var i = 0
            while i < a.count {
                if comment != nil {
                    guard let end = Self.find(Array("-->".unicodeScalars), in: a, from: i) else { return }
                    comment = nil
                    i = end + 3
                    continue
                }
                guard a[i] == "<" else {
                    // Text between tags (outside any segment) carries nothing; skipped.
                    i += 1
                    continue
                }
                if a[i...].starts(with: "<!--".unicodeScalars) {
                    comment = number
                    i += 4
                    continue
                }
                guard let close = a[i...].firstIndex(of: ">") else {
                    throw error(number, "tag '\(String(String.UnicodeScalarView(a[i...].prefix(30))))' has no closing '>' on its line")
                }
                let body = Array(a[(i + 1)..<close])
                i = close + 1
                if body.first == "!" || body.first == "?" { continue } // <!DOCTYPE ...>, <?xml ...?>
                if body.first == "/" {
                    try closeTag(String(String.UnicodeScalarView(body.dropFirst())).trimmingCharacters(in: .whitespaces).lowercased(), number)
                    continue
                }
                let (name, attributes) = try Self.tag(body, error: { error(number, $0) })
                if name == "seg" {
                    i = try segment(attributes, a, from: i, number)
                } else {
                    try openTag(name, attributes, number)
                }
            }
        }

        mutating func openTag(_ name: String, _ attributes: [String: String], _ line: Int) throws {
            if WMTSGML.setTags.contains(name) {
                if let open = openSet { throw error(line, "<\(name)> inside the <\(open.tag)> opened on line \(open.line)") }
                openSet = (name, line)
                if kind == nil {
                    kind = name
                    self.attributes = attributes
                }
            } else if name == "doc" {
                guard openSet != nil else { throw error(line, "<doc> outside a <srcset>, <refset> or <tstset>") }
                if let open = openDocument { throw error(line, "<doc> inside the <doc docid=\"\(open.id)\"> opened on line \(open.line)") }
                guard let id = attributes["docid"] else { throw error(line, "<doc> without a docid") }
                openDocument = (id, line)
                segmentIDs = []
            }
        }

        mutating func closeTag(_ name: String, _ line: Int) throws {
            if WMTSGML.setTags.contains(name) {
                guard let open = openSet, open.tag == name else {
                    throw error(line, "</\(name)> without an open <\(name)>" + (openSet.map { " (the open set is <\($0.tag)>)" } ?? ""))
                }
                if let doc = openDocument { throw error(line, "</\(name)> before the </doc> of <doc docid=\"\(doc.id)\"> (line \(doc.line))") }
                openSet = nil
            } else if name == "doc" {
                guard openDocument != nil else { throw error(line, "</doc> without an open <doc>") }
                openDocument = nil
            } else if name == "seg" {
                throw error(line, "</seg> without a <seg>")
            }
        }

        /// A `<seg id="N">` whose text ends at `</seg>` on the same line; returns where the scan goes on.
        mutating func segment(_ attributes: [String: String], _ a: [Unicode.Scalar], from start: Int, _ line: Int) throws -> Int {
            guard let doc = openDocument else { throw error(line, "<seg> outside a <doc>") }
            guard let id = attributes["id"] else { throw error(line, "<seg> without an id") }
            guard let end = Self.find(Array("</seg>".unicodeScalars), in: a, from: start, caseInsensitive: true) else {
                throw error(line, "<seg id=\"\(id)\"> is not closed with </seg> on its line")
            }
            if a[start..<end].contains("<") { throw error(line, "'<' inside <seg id=\"\(id)\"> (a tag, or a '<' not written as &lt;)") }
            guard segmentIDs.insert(id).inserted else { throw error(line, "a second <seg id=\"\(id)\"> in <doc docid=\"\(doc.id)\">") }
            let raw = WMTSGML.decodeEntities(String(String.UnicodeScalarView(a[start..<end])))
            let text = PythonText.split(Array(raw.unicodeScalars)).map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
            segments.append(Segment(document: doc.id, id: id, text: text, line: line))
            return end + 6
        }

        func finish() throws -> WMTSGML {
            if let comment { throw error(comment, "the file ends inside this <!-- comment") }
            if let doc = openDocument { throw error(doc.line, "the file ends inside <doc docid=\"\(doc.id)\"> (no </doc>)") }
            if let set = openSet { throw error(set.line, "the file ends inside <\(set.tag)> (no </\(set.tag)>)") }
            guard let kind else { throw error(1, "no <srcset>, <refset> or <tstset>: not a WMT SGML file") }
            return WMTSGML(kind: kind, attributes: attributes, segments: segments)
        }

        /// A tag's lowercased name and attributes: `name key="value" key='value' key=value`.
        static func tag(_ body: [Unicode.Scalar], error: (String) -> ParallelCorpusError) throws -> (String, [String: String]) {
            var i = 0
            func skipSpace() { while i < body.count && PythonText.isSpace(body[i]) { i += 1 } }
            func word() -> String {
                let start = i
                while i < body.count && !PythonText.isSpace(body[i]) && body[i] != "=" && body[i] != "/" { i += 1 }
                return String(String.UnicodeScalarView(body[start..<i])).lowercased()
            }
            skipSpace()
            let name = word()
            guard !name.isEmpty else { throw error("a tag without a name") }
            var attributes: [String: String] = [:]
            while true {
                skipSpace()
                if i < body.count && body[i] == "/" { i += 1; continue } // <p/>
                guard i < body.count else { break }
                let key = word()
                guard !key.isEmpty else { throw error("unexpected '\(body[i])' in <\(name)>") }
                skipSpace()
                guard i < body.count && body[i] == "=" else { attributes[key] = ""; continue }
                i += 1
                skipSpace()
                guard i < body.count else { throw error("attribute \(key) of <\(name)> has no value") }
                if body[i] == "\"" || body[i] == "'" {
                    let quote = body[i]
                    guard let end = body[(i + 1)...].firstIndex(of: quote) else {
                        throw error("attribute \(key) of <\(name)> has no closing \(quote)")
                    }
                    attributes[key] = WMTSGML.decodeEntities(String(String.UnicodeScalarView(body[(i + 1)..<end])))
                    i = end + 1
                } else {
                    let start = i
                    while i < body.count && !PythonText.isSpace(body[i]) { i += 1 }
                    attributes[key] = String(String.UnicodeScalarView(body[start..<i]))
                }
            }
            return (name, attributes)
        }

        static func find(_ needle: [Unicode.Scalar], in a: [Unicode.Scalar], from start: Int, caseInsensitive: Bool = false) -> Int? {
            guard a.count >= needle.count, start <= a.count - needle.count else { return nil }
            for i in start...(a.count - needle.count) {
                var ok = true
                for k in 0..<needle.count {
                    var c = a[i + k]
                    if caseInsensitive, c.value >= 0x41 && c.value <= 0x5A { c = Unicode.Scalar(c.value + 32)! }
                    if c != needle[k] { ok = false; break }
                }
                if ok { return i }
            }
            return nil
        }
    }
}
