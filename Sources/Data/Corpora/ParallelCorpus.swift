import Foundation

/// A source sentence and its translation.
public struct SentencePair: Equatable, Hashable, Sendable {
    public var source: String
    public var target: String

    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

/// Sentence-aligned text for translation, read from the formats WMT distributes: two plain
/// files with one sentence a line, tab-separated pairs, and SGML test sets (`WMTSGML`).
///
/// ```swift
/// let corpus = try ParallelCorpus.read(source: "train.en", target: "train.es")
/// let (clean, report) = corpus.cleaned(CorpusCleaning(maxTokens: 80))
/// ```
public struct ParallelCorpus: Equatable, Sendable {
    public var pairs: [SentencePair]

    public init(pairs: [SentencePair] = []) { self.pairs = pairs }

    /// Pairs the i-th source with the i-th target; the two must have the same length.
    public init(source: [String], target: [String]) {
        precondition(source.count == target.count, "ParallelCorpus: \(source.count) sources but \(target.count) targets")
        pairs = zip(source, target).map { SentencePair(source: $0, target: $1) }
    }

    public var count: Int { pairs.count }
    public var sources: [String] { pairs.map(\.source) }
    public var targets: [String] { pairs.map(\.target) }

    /// Two plain UTF-8 files, one sentence a line, line i of one the translation of line i of
    /// the other. Different line counts are an error naming both files and both counts.
    public static func read(source: String, target: String) throws -> ParallelCorpus {
        let s = try readLines(source), t = try readLines(target)
        guard s.count == t.count else {
            throw ParallelCorpusError.lineCountMismatch(source: source, sourceLines: s.count, target: target, targetLines: t.count)
        }
        return ParallelCorpus(source: s, target: t)
    }

    /// Tab-separated pairs, `source<TAB>target` a line; columns after the second are ignored
    /// (as `cut -f1,2` would). A line without a tab, an empty one included, is an error naming
    /// the file and line.
    public static func readTSV(_ path: String) throws -> ParallelCorpus {
        var pairs: [SentencePair] = []
        for (i, line) in try readLines(path).enumerated() {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2 else { throw ParallelCorpusError.missingTab(file: path, line: i + 1) }
            pairs.append(SentencePair(source: String(fields[0]), target: String(fields[1])))
        }
        return ParallelCorpus(pairs: pairs)
    }

    /// A WMT SGML source file and its reference file (`<srcset>` and `<refset>`), paired segment
    /// by segment; the two must list the same documents and segment ids in the same order.
    public static func readSGML(source: String, target: String) throws -> ParallelCorpus {
        let s = try WMTSGML.read(source).segments, t = try WMTSGML.read(target).segments
        guard s.count == t.count else {
            throw ParallelCorpusError.sgmlMismatch(source: source, target: target, message: "\(s.count) segments against \(t.count)")
        }
        for (a, b) in zip(s, t) where a.document != b.document || a.id != b.id {
            throw ParallelCorpusError.sgmlMismatch(source: source, target: target, message:
                "line \(a.line) is document '\(a.document)' segment \(a.id) but line \(b.line) is document '\(b.document)' segment \(b.id)")
        }
        return ParallelCorpus(source: s.map(\.text), target: t.map(\.text))
    }

    /// The lines of a UTF-8 text file, split at "\n" only (as Python reads with `newline="\n"`;
    /// a "\r" before it is dropped). A final line without "\n" counts; an empty file has none.
    public static func readLines(_ path: String) throws -> [String] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ParallelCorpusError.unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? FileProblem.reason(error, path: path) : "no such file")
        }
        return try lines(data, file: path)
    }

    /// The lines of UTF-8 `data` as `readLines` splits them (`TextInput`'s policy); `file` names it in errors.
    public static func lines(_ data: Data, file: String) throws -> [String] {
        do { return try TextInput.lines(data, source: file) } catch TextInput.Failure.invalidUTF8(_, let line) {
            throw ParallelCorpusError.invalidUTF8(file: file, line: line)
        }
    }
}
