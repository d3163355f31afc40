import Foundation

/// A treebank file that cannot be read, with the file and line.
public struct TreebankError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    /// 1-based; nil when the problem is the whole file's.
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// Penn Treebank bracketed files: read (trees over several lines with `( (S ...) )` roots, as
/// the WSJ `.mrg` and CRAFT `.tree` files, or one tree a line), normalized as parsing papers do,
/// and written back one tree a line.
public enum Treebank {
    /// Every tree of the file at `path`.
    public static func read(path: String) throws -> [ParseTree] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw TreebankError(file: path, message: !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "cannot read the file")
        }
        return try parse(data, file: path)
    }

    /// Every tree of `data`; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> [ParseTree] {
        if let zero = data.firstIndex(of: 0) {
            let line = data[..<zero].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw TreebankError(file: file, line: line, message: "a NUL byte: this is a binary file, not a treebank")
        }
        let text: String
        do { text = try TextInput.text(data, source: file) } catch TextInput.Failure.invalidUTF8(_, let line) {
            throw TreebankError(file: file, line: line, message: "not valid UTF-8")
        }
        return try parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, file: file)  // a byte order mark is no word
    }

    /// Every tree of `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String = "<trees>") throws -> [ParseTree] {
        var reader = Reader(text: Array(text.utf8), file: file)
        var trees: [ParseTree] = []
        while let tree = try reader.next() { trees.append(tree) }
        if trees.isEmpty { throw TreebankError(file: file, message: "no trees (the file is empty)") }
        return trees
    }

    /// Every tree of the file at `path` normalized (`normalized`), and how many sentences
    /// normalization left empty (not in `trees`).
    public static func readNormalized(path: String) throws -> (trees: [ParseTree], dropped: Int) {
        let read = try Self.read(path: path)
        let trees = read.compactMap(normalized)
        return (trees, read.count - trees.count)
    }

    /// The trees one a line (`bracketed`), written atomically.
    public static func write(_ trees: [ParseTree], to path: String) throws {
        let text = trees.map { $0.bracketed + "\n" }.joined()
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw TreebankError(file: path, message: "cannot write: \(FileProblem.reason(error, path: path))")
        }
    }

    /// Each split's trees to `NAME.txt` in `directory` (made if missing), one a line, each file
    /// atomically: the files a treebank's splits are trained and scored from.
    public static func write(splits: [(name: String, trees: [ParseTree])], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TreebankError(file: directory, message: "cannot make the directory: \(FileProblem.reason(error, path: directory, directory: true))")
        }
        for split in splits {
            try write(split.trees, to: URL(fileURLWithPath: directory).appendingPathComponent("\(split.name).txt").path)
        }
    }

    // MARK: - Normalization

    /// The tree as parsers are trained and scored on it: `-NONE-` elements (traces, empty
    /// subjects) removed with every node they leave empty, function tags and indices stripped
    /// (`NP-SBJ-1` → `NP`, `NP=2` → `NP`, but `-LRB-`, `-RRB-`, `-NONE-` kept), and the root
    /// labelled `TOP` (an unlabelled or `ROOT` root renamed, any other wrapped). Nil when
    /// nothing but empty elements is left.
    public static func normalized(_ tree: ParseTree) -> ParseTree? {
        func clean(_ t: ParseTree) -> ParseTree? {
            if t.isLeaf { return t }
            if t.isPreterminal { return t.label == "-NONE-" ? nil : ParseTree(strip(t.label), t.children) }
            let children = t.children.compactMap(clean)
            return children.isEmpty ? nil : ParseTree(strip(t.label), children)
        }
        guard let cleaned = clean(tree) else { return nil }
        if ["", "TOP", "ROOT"].contains(cleaned.label) && !cleaned.isPreterminal {
            return ParseTree("TOP", cleaned.children)
        }
        return ParseTree("TOP", [cleaned])
    }

    /// A label without its function tags and indices.
    public static func strip(_ label: String) -> String {
        if label.count > 1 && label.hasPrefix("-") && label.hasSuffix("-") { return label }  // -LRB-, -NONE-
        guard let cut = label.dropFirst().firstIndex(where: { $0 == "-" || $0 == "=" }) else { return label }
        return String(label[..<cut])
    }

    // MARK: - Reading

    /// A recursive-descent reader over bytes; brackets and whitespace are ASCII, so UTF-8 words
    /// pass through whole (Unicode spaces too: CRAFT has words with a hair or no-break space).
    struct Reader {
        /// Deeper nesting is an error, not a stack overflow: real trees are a few dozen deep
        /// (CRAFT's deepest 29), and a damaged file of opening brackets must not crash the reader.
        static let maximumDepth = 1000

        let text: [UInt8]
        let file: String
        var position = 0
        var line = 1

        init(text: [UInt8], file: String) {
            self.text = text
            self.file = file
        }

        func error(_ message: String, line: Int? = nil) -> TreebankError {
            TreebankError(file: file, line: line ?? self.line, message: message)
        }

        mutating func skipSpace() {
            while position < text.count, let c = Optional(text[position]), c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                if c == 0x0A { line += 1 }
                position += 1
            }
        }

        /// The next tree, or nil at the end of the text.
        mutating func next() throws -> ParseTree? {
            skipSpace()
            guard position < text.count else { return nil }
            if text[position] == UInt8(ascii: ")") { throw error("unbalanced brackets: ')' closes nothing") }
            guard text[position] == UInt8(ascii: "(") else {
                throw error("expected '(' to start a tree, found \(quoted(token()))")
            }
            return try node(depth: 0)
        }

        /// A run of characters that are not brackets or whitespace.
        mutating func token() -> String {
            let start = position
            while position < text.count, !isDelimiter(text[position]) { position += 1 }
            return String(decoding: text[start..<position], as: UTF8.self)
        }

        func isDelimiter(_ c: UInt8) -> Bool {
            c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
        }

        func quoted(_ s: String) -> String { "'" + (s.count > 30 ? String(s.prefix(30)) + "…" : s) + "'" }

        /// `(LABEL child...)` at `position` (an opening bracket).
        mutating func node(depth: Int) throws -> ParseTree {
            let openLine = line
            if depth >= Self.maximumDepth { throw error("brackets nested more than \(Self.maximumDepth) deep") }
            position += 1  // "("
            skipSpace()
            var label = ""
            if position < text.count, !isDelimiter(text[position]) { label = token() }
            if label.isEmpty && depth > 0 { throw error("a bracket without a label") }
            var children: [ParseTree] = []
            var word: String?
            while true {
                skipSpace()
                guard position < text.count else {
                    throw error("unbalanced brackets: '(\(label)' opened on line \(openLine) is never closed", line: openLine)
                }
                let c = text[position]
                if c == UInt8(ascii: ")") {
                    position += 1
                    break
                }
                if c == UInt8(ascii: "(") {
                    if word != nil { throw error("'(\(label)' holds both a word and brackets") }
                    children.append(try node(depth: depth + 1))
                } else {
                    if word != nil || !children.isEmpty { throw error("'(\(label)' holds more than one word, or a word beside brackets") }
                    word = token()
                }
            }
            if let word { return ParseTree(label, [ParseTree(word)]) }
            if children.isEmpty { throw error("empty constituent '(\(label))'") }
            return ParseTree(label, children)
        }
    }
}
