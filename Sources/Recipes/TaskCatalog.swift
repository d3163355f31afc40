import Foundation
import ModelZoo

/// The task families `zoo` knows: each family's folder adds one line to `TaskCatalog.families`
/// (Tasks/TaskCatalog.swift), and tests can register more.
public enum TaskCatalog {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [TaskName: any TaskFamily] = [:]

    /// Adds (or replaces) a family.
    public static func register(_ family: any TaskFamily) {
        lock.lock()
        defer { lock.unlock() }
        registered[family.name] = family
    }

    /// Every registered family, by name.
    public static var families: [any TaskFamily] {
        lock.lock()
        defer { lock.unlock() }
        return registered.values.sorted { $0.name < $1.name }
    }

    public static var names: [TaskName] { families.map(\.name) }

    /// The family named `name`, or nil.
    public static func family(_ name: TaskName) -> (any TaskFamily)? {
        lock.lock()
        defer { lock.unlock() }
        return registered[name]
    }

    /// The family of a zoo entry, or an error naming the entry and the known families.
    public static func family(of entry: ZooEntry) throws -> any TaskFamily {
        guard let family = family(entry.config.task) else {
            throw ZooError.badEntry(path: entry.directory.appendingPathComponent(ZooEntry.configFile).path,
                                    reason: "unknown task '\(entry.config.task)' (known: \(names.map(\.rawValue).joined(separator: ", ")))")
        }
        return family
    }
}
