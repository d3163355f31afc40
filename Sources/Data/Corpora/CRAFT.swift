import Foundation

/// The CRAFT treebank (Colorado Richly Annotated Full-Text corpus: 97 biomedical articles, 30,830
/// Penn Treebank-style trees; CC BY 3.0, cite Bada et al. 2012 and Verspoor et al. 2012), split as
/// the corpus itself splits it, by PubMed id: 60 training, 7 development and 30 test articles (the
/// CRAFT Shared Task 2019 evaluation set). Splitting by article keeps every sentence of a test
/// article out of training.
///
/// A directory is read in either layout: a copy of the treebank (`penn/PMID.tree`,
/// `craft-ids-SPLIT.txt`) or the release itself (`structural-annotation/treebank/penn/PMID.tree`,
/// `articles/ids/craft-ids-SPLIT.txt`).
public struct CRAFT: Sendable {
    /// One split: its articles in PubMed id order, and their normalized trees in that order.
    public struct Split: Sendable {
        public var name: String
        public var articles: [String]
        public var trees: [ParseTree]
        /// Sentences normalization left empty (nothing but `-NONE-` elements), not in `trees`.
        public var dropped: Int
    }

    public static let splitNames = ["train", "dev", "test"]
    /// Where the tree files may be, relative to the directory: a copy first, then the release.
    public static let treeFolders = ["penn", "structural-annotation/treebank/penn"]
    /// Where the id lists may be.
    public static let idFolders = ["", "articles/ids"]

    public var train: Split
    public var dev: Split
    public var test: Split
    public var splits: [Split] { [train, dev, test] }

    /// Reads and normalizes (`Treebank.normalized`) every tree of the three splits.
    /// `progress` hears each article as it is read (split, PubMed id).
    public init(directory: String, progress: (String, String) -> Void = { _, _ in }) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw TreebankError(file: directory, message: "no such directory")
        }
        guard isDirectory.boolValue else { throw TreebankError(file: directory, message: "not a directory (give the CRAFT release's directory)") }
        let root = URL(fileURLWithPath: directory)
        guard let trees = Self.treeFolders.map({ root.appendingPathComponent($0) })
            .first(where: { fm.fileExists(atPath: $0.path, isDirectory: &isDirectory) && isDirectory.boolValue }) else {
            throw TreebankError(file: directory, message: "not a CRAFT treebank: no \(Self.treeFolders.joined(separator: "/ or "))/ folder of PMID.tree files")
        }
        var seen: [String: String] = [:]  // PubMed id → split
        var read: [Split] = []
        for name in Self.splitNames {
            let candidates = Self.idFolders.map { root.appendingPathComponent($0).appendingPathComponent("craft-ids-\(name).txt") }
            guard let ids = candidates.first(where: { fm.fileExists(atPath: $0.path) }) else {
                throw TreebankError(file: directory, message: "not a CRAFT treebank: no craft-ids-\(name).txt (looked in \(directory) and \(directory)/articles/ids)")
            }
            var split = Split(name: name, articles: [], trees: [], dropped: 0)
            // By id, whatever order the file lists them in: the same files give the same output.
            for (line, pmid) in try Self.ids(ids.path).sorted(by: { ($0.id.count, $0.id) < ($1.id.count, $1.id) }) {
                if let other = seen[pmid] {
                    throw TreebankError(file: ids.path, line: line, message: "article \(pmid) is already in the \(other) split")
                }
                seen[pmid] = name
                let file = trees.appendingPathComponent("\(pmid).tree").path
                guard fm.fileExists(atPath: file) else {
                    throw TreebankError(file: ids.path, line: line, message: "article \(pmid) has no tree file \(file)")
                }
                progress(name, pmid)
                let (normalized, dropped) = try Treebank.readNormalized(path: file)
                split.trees += normalized
                split.dropped += dropped
                split.articles.append(pmid)
            }
            read.append(split)
        }
        (train, dev, test) = (read[0], read[1], read[2])
    }

    /// The PubMed ids of a `craft-ids-SPLIT.txt` file with their lines (blank lines and `#`
    /// comments skipped).
    static func ids(_ path: String) throws -> [(line: Int, id: String)] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TreebankError(file: path, message: "cannot read the file") }
        var text: String
        do { text = try TextInput.text(data, source: path) } catch TextInput.Failure.invalidUTF8(_, let line) {
            throw TreebankError(file: path, line: line, message: "not valid UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }  // a byte order mark is no id
        var out: [(Int, String)] = []
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let id = raw.trimmingCharacters(in: .whitespaces)
            if id.isEmpty || id.hasPrefix("#") { continue }
            guard id.allSatisfy(\.isASCII), id.allSatisfy(\.isNumber) else {
                throw TreebankError(file: path, line: i + 1, message: "'\(id.prefix(30))' is not a PubMed id")
            }
            out.append((i + 1, id))
        }
        if out.isEmpty { throw TreebankError(file: path, message: "lists no articles") }
        return out
    }

    /// Writes `train.txt`, `dev.txt` and `test.txt` (one normalized tree a line, each atomically)
    /// into `directory`, made if missing.
    public func write(to directory: String) throws {
        try Treebank.write(splits: splits.map { ($0.name, $0.trees) }, to: directory)
    }
}
