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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: diatheke)
        process.arguments = ["-b", module, "-f", "plain", "-k", "Genesis 1:1-Revelation 22:21"]
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
        let verses = parse(String(decoding: data, as: UTF8.self), module: module)
        if verses.isEmpty { throw BibleCorpusError.empty(module: module) }
        return verses
    }

    /// Parses `Book C:V: text` lines; lines without a reference continue the previous verse
    /// (diatheke wraps some verses); `<...>` markup and the closing `(module)` line are dropped.
    public static func parse(_ output: String, module: String = "") -> [Verse] {
        var verses: [Verse] = []
        for raw in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line == "(\(module))" { continue }
            if let v = parseReference(line) {
                verses.append(v)
            } else if !verses.isEmpty {
                verses[verses.count - 1].text += " " + line
            }
        }
        for i in verses.indices { verses[i].text = clean(verses[i].text) }
        return verses.filter { !$0.text.isEmpty }
    }

    /// "I Samuel 3:10: text" → (I Samuel, 3, 10, text).
    static func parseReference(_ line: String) -> Verse? {
        guard let colonSpace = line.range(of: ": ") ?? (line.hasSuffix(":") ? line.range(of: ":", options: .backwards) : nil) else { return nil }
        let head = line[..<colonSpace.lowerBound]
        guard let space = head.lastIndex(of: " ") else { return nil }
        let cv = head[head.index(after: space)...].split(separator: ":")
        guard cv.count == 2, let c = Int(cv[0]), let v = Int(cv[1]) else { return nil }
        let book = String(head[..<space])
        guard !book.isEmpty else { return nil }
        return Verse(book: book, chapter: c, verse: v, text: String(line[colonSpace.upperBound...]))
    }

    /// Removes markup and collapses whitespace.
    static func clean(_ text: String) -> String {
        var out = ""
        var inTag = false
        for ch in text {
            if ch == "<" { inTag = true; continue }
            if ch == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(ch) }
        }
        return out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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
