import Foundation

/// A verse of a SWORD Bible module as printed by `diatheke -f plain` (Debian's `diatheke` and
/// `sword-text-*` packages, see docs/data-sources.md).
public struct Verse: Equatable, Sendable {
    public var book: String
    public var chapter: Int
    public var verse: Int
    public var text: String
    /// "Genesis 1:1": the key that aligns translations.
    public var reference: String { "\(book) \(chapter):\(verse)" }
}

/// Why a Bible module could not be read: diatheke failed, or printed no verses.
public enum BibleCorpusError: Error, CustomStringConvertible {
    case diathekeFailed(module: String, status: Int32, message: String)
    case empty(module: String)

    public var description: String {
        switch self {
        case .diathekeFailed(let m, let s, let msg):
            "diatheke could not read module \(m) (exit \(s)): \(msg.isEmpty ? "is the sword-text package installed? (make data installs it)" : msg)"
        case .empty(let m): "module \(m) printed no verses; is its sword-text package installed?"
        }
    }
}

/// SWORD Bible modules read through diatheke: verses by reference, split into train/valid/test by whole books.
public enum BibleCorpus {
    /// Books held out of training: validation and test sets are whole books, so no verse of a
    /// held-out chapter leaks into training.
    public static let validationBooks: Set<String> = ["Ruth", "Jonah", "Philippians"]
    public static let testBooks: Set<String> = ["Esther", "Micah", "Colossians"]

    /// Every verse of `module`, read through `diatheke`.
    public static func read(module: String, diatheke: String = "/usr/bin/diatheke") throws -> [Verse] {
        let verses = parse(try output(module: module, diatheke: diatheke), module: module)
        if verses.isEmpty { throw BibleCorpusError.empty(module: module) }
        return verses
    }

    /// What `diatheke` prints for the whole of `module`, in OSIS markup.
    public static func output(module: String, diatheke: String = "/usr/bin/diatheke") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: diatheke)
        process.arguments = ["-b", module, "-f", "OSIS", "-k", "Genesis 1:1-Revelation 22:21"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw BibleCorpusError.diathekeFailed(module: module, status: -1, message: "\(diatheke): \(error.localizedDescription)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw BibleCorpusError.diathekeFailed(module: module, status: process.terminationStatus, message: msg.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses diatheke's OSIS output, a verse a line: `[heading  ]Book C:V: text` with `<w>` and
    /// other markup; lines without a reference continue the previous verse (plain output wraps
    /// some) and the closing `(module)` line is dropped. Text printed before a reference (a psalm's
    /// superscription, an acrostic letter) belongs to the verse it precedes, as in translations
    /// that number it into verse 1. diatheke repeats the last such heading before every later
    /// verse, into later books too, so a heading is kept only where it first appears.
    public static func parse(_ output: String, module: String = "") -> [Verse] {
        parseWithHeadings(output, module: module).verses
    }

    /// `parse`, and every heading printed before a reference.
    public static func parseWithHeadings(_ output: String, module: String = "") -> (verses: [Verse], headings: Set<String>) {
        var verses: [Verse] = [], headings: Set<String> = []
        var previousHeading = ""
        for raw in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = withoutMarkup(String(raw))
            let trimmed = collapsed(line)
            if trimmed.isEmpty || trimmed == "(\(module))" { continue }
            if let (heading, verse) = parseReference(line) {
                var verse = verse
                if !heading.isEmpty && heading != previousHeading { verse.text = heading + " " + verse.text }
                if !heading.isEmpty { headings.insert(heading) }
                previousHeading = heading
                verses.append(verse)
            } else if !verses.isEmpty {
                verses[verses.count - 1].text += " " + trimmed
            }
        }
        for i in verses.indices { verses[i].text = collapsed(verses[i].text) }
        return (verses.filter { !$0.text.isEmpty }, headings)
    }

    /// "ALEPH  I Samuel 3:10: text" → ("ALEPH", I Samuel 3:10 "text"): the first `C:V:` is the
    /// reference, the book the words before it, a heading what stands before the book after a
    /// run of blanks.
    static func parseReference(_ line: String) -> (heading: String, verse: Verse)? {
        let bytes = Array(line.utf8)
        func isBlank(_ i: Int) -> Bool { bytes[i] == 0x20 || bytes[i] == 0x09 }
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        func digits(from i: Int) -> Int { var j = i; while isDigit(j) { j += 1 }; return j }
        var start = 0
        while start < bytes.count {
            // `C:V:` starting at `start`, after a blank (or at the line's start) and before one (or its end).
            if isDigit(start) && (start == 0 || isBlank(start - 1)) {
                let colon = digits(from: start)
                if colon < bytes.count, bytes[colon] == 0x3A, isDigit(colon + 1) {
                    let second = digits(from: colon + 1)
                    if second < bytes.count, bytes[second] == 0x3A, second + 1 == bytes.count || isBlank(second + 1),
                       let chapter = Int(String(decoding: bytes[start..<colon], as: UTF8.self)),
                       let verse = Int(String(decoding: bytes[(colon + 1)..<second], as: UTF8.self)) {
                        var end = start
                        while end > 0 && isBlank(end - 1) { end -= 1 }
                        // The heading ends at the last run of two or more blanks before the book.
                        var split = end
                        while split > 1 && !(isBlank(split - 1) && isBlank(split - 2)) { split -= 1 }
                        if split <= 1 { split = 0 }
                        let book = collapsed(String(decoding: bytes[split..<end], as: UTF8.self))
                        guard !book.isEmpty else { return nil }
                        let heading = collapsed(String(decoding: bytes[0..<split], as: UTF8.self))
                        let text = String(decoding: bytes[min(bytes.count, second + 1)...], as: UTF8.self)
                        return (heading, Verse(book: book, chapter: chapter, verse: verse, text: text))
                    }
                }
                start = colon
            } else {
                start += 1
            }
        }
        return nil
    }

    /// Removes markup, keeping words apart where it separated them: WEB joins some words as
    /// `<w>God</w><w>created</w>`, and a line milestone stands for a line break.
    static func withoutMarkup(_ text: String) -> String {
        let separated = text.replacingOccurrences(of: "</w><w", with: "</w> <w").replacingOccurrences(of: "<milestone", with: " <milestone")
        var out = ""
        var inTag = false
        for ch in separated {
            if ch == "<" { inTag = true; continue }
            if ch == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(ch) }
        }
        return out
    }

    /// Whitespace runs as one space, none at the ends.
    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Splits verses into train / validation / test by book.
    public static func split(_ verses: [Verse]) -> (train: [Verse], validation: [Verse], test: [Verse]) {
        (verses.filter { !validationBooks.contains($0.book) && !testBooks.contains($0.book) },
         verses.filter { validationBooks.contains($0.book) },
         verses.filter { testBooks.contains($0.book) })
    }

    /// Writes one verse text per line to `train.txt`, `valid.txt` and `test.txt` in `directory`
    /// (each atomically).
    public static func export(module: String, to directory: String) throws -> (train: Int, validation: Int, test: Int) {
        let parts = split(try read(module: module))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, verses) in [("train.txt", parts.train), ("valid.txt", parts.validation), ("test.txt", parts.test)] {
            let text = verses.map(\.text).joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name), options: .atomic)
        }
        return (parts.train.count, parts.validation.count, parts.test.count)
    }
}

extension BibleCorpus {
    /// Verse pairs of two translations aligned by reference (book, chapter, verse): verses that
    /// only one side has (or that are empty on one side) are left out.
    public static func align(_ source: [Verse], _ target: [Verse]) -> [(source: Verse, target: Verse)] {
        var byReference: [String: Verse] = [:]
        for v in target { byReference[v.reference] = v }
        return source.compactMap { s in byReference[s.reference].map { (s, $0) } }
    }

    /// Writes `train`, `valid` and `test` parallel files (`NAME.SRC` and `NAME.TGT`, one verse a
    /// line, aligned by line) for two SWORD modules, split by book as `split` does.
    public static func exportParallel(source: String, target: String, sourceLanguage: String, targetLanguage: String,
                                      to directory: String) throws -> (train: Int, validation: Int, test: Int) {
        let pairs = align(try read(module: source), try read(module: target))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var counts: [Int] = []
        for (name, books) in [("train", nil), ("valid", validationBooks), ("test", testBooks)] as [(String, Set<String>?)] {
            let part = pairs.filter { p in
                books.map { $0.contains(p.source.book) } ?? (!validationBooks.contains(p.source.book) && !testBooks.contains(p.source.book))
            }
            counts.append(part.count)
            for (language, texts) in [(sourceLanguage, part.map(\.source.text)), (targetLanguage, part.map(\.target.text))] {
                let url = URL(fileURLWithPath: directory).appendingPathComponent("\(name).\(language)")
                try Data((texts.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
            }
        }
        return (counts[0], counts[1], counts[2])
    }
}
