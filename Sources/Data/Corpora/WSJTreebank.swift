import Foundation

/// The Wall Street Journal part of the Penn Treebank-3 (Marcus et al. 1993; LDC99T42, licensed
/// from the Linguistic Data Consortium, so read from the user's copy and never shipped), split as
/// parsing papers split it: sections 02–21 training, 22 development, 23 test; 00, 01 and 24 are
/// not read. On the release that is 39,832, 1,700 and 2,416 trees.
///
/// A directory is read in any of three layouts: the release's root (`parsed/mrg/wsj/SS/wsj_SSNN.mrg`),
/// its `parsed/mrg/wsj` folder, or any folder directly holding the two-digit section folders
/// `00` … `24`. Sections are read in order, the `.mrg` files of a section in name order, so the
/// same copy always gives the same files.
public struct WSJTreebank: Sendable {
    /// One split: the sections and files read, in order, and their normalized trees in that order.
    public struct Split: Sendable {
        public var name: String
        /// Two-digit section names (`"02"`).
        public var sections: [String]
        /// The files read, as `SS/wsj_SSNN.mrg`.
        public var files: [String]
        public var trees: [ParseTree]
        /// Sentences normalization left empty (nothing but `-NONE-` elements), not in `trees`.
        public var dropped: Int
    }

    /// The standard split: each split's name and sections.
    public static let standardSplit: [(name: String, sections: ClosedRange<Int>)] = [
        ("train", 2...21), ("dev", 22...22), ("test", 23...23),
    ]
    /// Where the section folders may be, relative to the directory: the release's layout first.
    public static let sectionFolders = ["parsed/mrg/wsj", ""]

    public var train: Split
    public var dev: Split
    public var test: Split
    public var splits: [Split] { [train, dev, test] }

    /// Reads and normalizes (`Treebank.normalized`) every tree of the three splits. Every section
    /// of 02–23 must be there, or the splits would silently differ from the papers'; `partial`
    /// reads whichever training sections are there instead (a sample, or a copy of a few), and
    /// still needs 22 and 23. `progress` hears each section as it is read (split, section).
    public init(directory: String, partial: Bool = false, progress: (String, String) -> Void = { _, _ in }) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw TreebankError(file: directory, message: "no such directory")
        }
        guard isDirectory.boolValue else {
            throw TreebankError(file: directory, message: "not a directory (give the Penn Treebank-3 release's directory)")
        }
        let root = URL(fileURLWithPath: directory)
        let candidates = Self.sectionFolders.map { $0.isEmpty ? root : root.appendingPathComponent($0) }
        guard let wsj = candidates.first(where: Self.holdsSections) else {
            throw TreebankError(file: directory, message: "not the WSJ part of Penn Treebank-3: no section folders 00 … 24 "
                + "(give the release's root, holding parsed/mrg/wsj/SS/wsj_SSNN.mrg, its parsed/mrg/wsj folder, or a folder holding the section folders)")
        }
        // Every section is found and listed before any is read: a copy missing one fails at once,
        // not after minutes of reading.
        var planned: [(name: String, sections: [Section])] = []
        for (name, numbers) in Self.standardSplit {
            var sections: [Section] = []
            for number in numbers {
                let section = number < 10 ? "0\(number)" : "\(number)"
                let folder = wsj.appendingPathComponent(section)
                guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
                    if partial && name == "train" { continue }
                    throw TreebankError(file: folder.path, message: "section \(section) is missing (the standard split needs every section of 02–23)")
                }
                guard isDirectory.boolValue else { throw TreebankError(file: folder.path, message: "section \(section) is not a folder") }
                let files = try Self.mrgFiles(in: folder)
                guard !files.isEmpty else { throw TreebankError(file: folder.path, message: "section \(section) holds no .mrg files") }
                sections.append(Section(name: section, folder: folder, files: files))
            }
            if sections.isEmpty {
                throw TreebankError(file: wsj.path, message: "no training section: none of the folders 02 … 21 is there")
            }
            planned.append((name, sections))
        }
        var read: [Split] = []
        for (name, sections) in planned {
            var split = Split(name: name, sections: sections.map(\.name), files: [], trees: [], dropped: 0)
            for section in sections {
                progress(name, section.name)
                for file in section.files {
                    let (trees, dropped) = try Treebank.readNormalized(path: section.folder.appendingPathComponent(file).path)
                    split.trees += trees
                    split.dropped += dropped
                    split.files.append("\(section.name)/\(file)")
                }
            }
            read.append(split)
        }
        (train, dev, test) = (read[0], read[1], read[2])
    }

    /// A section folder found, with its `.mrg` files in reading order.
    struct Section {
        var name: String
        var folder: URL
        var files: [String]
    }

    /// Whether `folder` holds a two-digit section folder.
    static func holdsSections(_ folder: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        return names.contains { name in
            var isDirectory: ObjCBool = false
            return name.count == 2 && name.allSatisfy { $0.isASCII && $0.isNumber }
                && FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
    }

    /// The names of the `.mrg` files in a section folder, sorted (hidden files, such as the `._`
    /// files of a copy made on a Mac, skipped).
    static func mrgFiles(in folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".mrg") }
                .sorted()
        } catch {
            throw TreebankError(file: folder.path, message: "cannot list the folder: \(FileProblem.reason(error, path: folder.path, directory: true))")
        }
    }

    /// Writes `train.txt`, `dev.txt` and `test.txt` (one normalized tree a line, each atomically)
    /// into `directory`, made if missing.
    public func write(to directory: String) throws {
        try Treebank.write(splits: splits.map { ($0.name, $0.trees) }, to: directory)
    }
}
