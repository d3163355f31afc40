import Foundation
import Layers

/// The zoo: a directory of entries (`Zoo/<name>/`) and an index (`Zoo/index.json`). Resolves
/// `--model` arguments, lists the models, and writes new entries atomically.
public struct ZooRegistry: Sendable {
    public static let indexFile = "index.json"
    public let root: URL

    /// `$ZOO_DIR`, or `Zoo` in the current directory.
    public static var defaultRoot: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["ZOO_DIR"] ?? "Zoo")
    }

    public init(root: URL = ZooRegistry.defaultRoot) { self.root = root }

    /// `--model`: a directory holding a config.json, else the name of an entry of this zoo.
    public func resolve(_ nameOrPath: String) throws -> ZooEntry {
        let direct = URL(fileURLWithPath: nameOrPath)
        if FileManager.default.fileExists(atPath: direct.appendingPathComponent(ZooEntry.configFile).path) {
            return try ZooEntry(directory: direct)
        }
        if !nameOrPath.contains("/"), let entry = try entry(named: nameOrPath) { return entry }
        throw ZooError.unknownModel(nameOrPath, searched: [root.relativePath], known: ((try? entries()) ?? []).map(\.name))
    }

    /// The entry called `name` (by the index, else by its directory), nil when this zoo has none.
    public func entry(named name: String) throws -> ZooEntry? {
        if let indexed = try? readIndex().first(where: { $0.name == name }),
           FileManager.default.fileExists(atPath: root.appendingPathComponent(indexed.path).appendingPathComponent(ZooEntry.configFile).path) {
            return try ZooEntry(directory: root.appendingPathComponent(indexed.path))
        }
        let named = root.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: named.appendingPathComponent(ZooEntry.configFile).path) else { return nil }
        return try ZooEntry(directory: named)
    }

    /// Every model: the index's entries whose directories exist, plus any entry directory the
    /// index does not list yet; sorted by name.
    public func entries() throws -> [ZooIndexEntry] {
        let fm = FileManager.default
        var byPath: [String: ZooIndexEntry] = [:]
        for e in (try? readIndex()) ?? [] where fm.fileExists(atPath: root.appendingPathComponent(e.path).appendingPathComponent(ZooEntry.configFile).path) {
            byPath[e.path] = e
        }
        let names = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        for name in names where !name.hasPrefix(".") && byPath[name] == nil {
            let dir = root.appendingPathComponent(name)
            guard fm.fileExists(atPath: dir.appendingPathComponent(ZooEntry.configFile).path),
                  let entry = try? ZooEntry(directory: dir) else { continue }
            byPath[name] = Self.indexEntry(entry.config, path: name)
        }
        return byPath.values.sorted { $0.name < $1.name }
    }

    /// The index as written (empty when there is none).
    public func readIndex() throws -> [ZooIndexEntry] {
        let url = root.appendingPathComponent(Self.indexFile)
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        do {
            return try JSONDecoder().decode(Index.self, from: data).models
        } catch {
            throw ZooError.badEntry(path: url.path, reason: "not a zoo index (\(error))")
        }
    }

    private struct Index: Codable { var models: [ZooIndexEntry] }

    static func indexEntry(_ config: ZooEntryConfig, path: String) -> ZooIndexEntry {
        ZooIndexEntry(name: config.name, task: config.task, path: path, metrics: config.metrics, parameters: config.training.parameters)
    }

    /// Adds or replaces `config`'s line in the index (written atomically).
    public func updateIndex(with config: ZooEntryConfig, path: String) throws {
        var models = ((try? readIndex()) ?? []).filter { $0.path != path && $0.name != config.name }
        models.append(Self.indexEntry(config, path: path))
        models.sort { $0.name < $1.name }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = root.appendingPathComponent(Self.indexFile)
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            // Written beside it under a name `DirectorySwap.removeLeftovers` knows, then renamed over it.
            let temporary = root.appendingPathComponent(".\(Self.indexFile).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
            try encoder.encode(Index(models: models)).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw ZooError.cannotWrite(path: url.path, reason: reason)
            }
        } catch let error as ZooError {
            throw error
        } catch {
            throw ZooError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Writes `export` as the entry at `directory` and lists it in the index of the directory's
    /// parent (the zoo it lives in). The entry is assembled in a hidden temporary directory
    /// beside it (`.NAME.tmp-PID-N`, which listings skip) and renamed into place, so a reader
    /// never sees half an entry; an entry already there is renamed aside only once the new one
    /// is complete, then removed, so an export that fails or is interrupted leaves it whole.
    /// Whether to replace an entry is the caller's question (`ProtectedOutput`).
    @discardableResult
    public static func export(_ export: ZooExport, to directory: URL) throws -> ZooEntry {
        try Self.export(export, to: directory, afterStep: nil)
    }

    /// The export, with a hook called after each step (the name of each file written to the
    /// temporary directory, "exchange" before the one-step swap, and "swap" once the old entry is
    /// aside where `exchange` cannot swap); tests throw from it to fail the export part-way.
    static func export(_ export: ZooExport, to directory: URL, exchange: (URL, URL) -> Bool = DirectorySwap.exchange,
                       afterStep: ((String) throws -> Void)?) throws -> ZooEntry {
        let fm = FileManager.default
        let directory = directory.standardizedFileURL
        let parent = directory.deletingLastPathComponent()
        let name = directory.lastPathComponent
        let tag = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let temporary = parent.appendingPathComponent(".\(name).tmp-\(tag)")
        func fail(_ path: URL, _ error: Error) -> ZooError { .cannotWrite(path: path.path, reason: "\(error)") }
        var config = export.config
        if config.tokenizer.files.count != export.tokenizerFiles.count {
            config.tokenizer.files = try TokenizerRegistry.kind(config.tokenizer.kind).files
        }
        // What a reader would refuse is never written: the config is checked as `ZooEntry` checks it.
        try config.validate(file: directory.appendingPathComponent(ZooEntry.configFile).relativePath,
                            weightValues: export.weights.reduce(0) { $0 + $1.shape.reduce(1, *) })
        DirectorySwap.removeLeftovers(of: name, in: parent, markers: ["tmp", "old"])
        DirectorySwap.removeLeftovers(of: indexFile, in: parent, markers: ["tmp", "old"])
        do {
            try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw fail(temporary, error)
        }
        do {
            try config.encoded().write(to: temporary.appendingPathComponent(ZooEntry.configFile))
            try afterStep?(ZooEntry.configFile)
            try SafetensorsFile.write(export.weights, to: temporary.appendingPathComponent(ZooEntry.weightsFile).path,
                                      metadata: ["format": "pt"])
            try afterStep?(ZooEntry.weightsFile)
            for (source, fileName) in zip(export.tokenizerFiles, config.tokenizer.files) {
                try fm.copyItem(at: source, to: temporary.appendingPathComponent(fileName))
                try afterStep?(fileName)
            }
            for source in export.extraFiles where fm.fileExists(atPath: source.path) {
                try fm.copyItem(at: source, to: temporary.appendingPathComponent(source.lastPathComponent))
                try afterStep?(source.lastPathComponent)
            }
            try Data(export.card.utf8).write(to: temporary.appendingPathComponent(ZooEntry.cardFile))
            try afterStep?(ZooEntry.cardFile)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error as? ZooError ?? fail(directory, error)
        }
        // Swap into place in one step where the file system can (the temporary directory then
        // holds the old entry, which is removed); elsewhere old entry aside, new one in, old removed.
        let old = parent.appendingPathComponent(".\(name).old-\(tag)")
        let hadOld = fm.fileExists(atPath: directory.path)
        do {
            if hadOld { try afterStep?("exchange") }
            if hadOld, exchange(temporary, directory) {
                try? fm.removeItem(at: temporary)
            } else {
                if hadOld { try fm.moveItem(at: directory, to: old) }
                do {
                    if hadOld { try afterStep?("swap") }
                    try fm.moveItem(at: temporary, to: directory)
                } catch {
                    if hadOld { try? fm.moveItem(at: old, to: directory) }
                    throw error
                }
                if hadOld { try? fm.removeItem(at: old) }
            }
        } catch {
            try? fm.removeItem(at: temporary)
            throw fail(directory, error)
        }
        let entry = try ZooEntry(directory: directory)
        try ZooRegistry(root: parent).updateIndex(with: entry.config, path: name)
        return entry
    }

}
