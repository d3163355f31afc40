import Foundation

/// Where models are looked up by name, in order: `--zoo DIR`, `$ZOO_DIR`, `./Zoo` when it holds
/// an index, the installed zoo (`<prefix>/share/transformer-zoo/Zoo` for `<prefix>/bin/zoo`) and
/// the user's zoo (`$XDG_DATA_HOME/transformer-zoo/Zoo`, by default under `~/.local/share`), for
/// models the user trains or imports. The first zoo holding a name wins. A `./Zoo` without an
/// index is skipped so that a stray folder of that name does not hide the installed models.
public struct ZooSearchPath: Sendable {
    /// One zoo of the path and why it is on it.
    public struct Place: Sendable, Equatable {
        public var directory: URL
        /// "--zoo", "ZOO_DIR", "./Zoo", "installed" or "user".
        public var origin: String

        public init(directory: URL, origin: String) {
            self.directory = directory
            self.origin = origin
        }

        public var exists: Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }

        /// `Zoo (./Zoo)`, as errors and `zoo list` name it.
        public var description: String { "\(directory.relativePath) (\(origin))" }
    }

    public var places: [Place]

    public init(places: [Place]) {
        // The same directory reached twice (ZOO_DIR=Zoo) is searched once, under its first origin.
        var seen: Set<String> = []
        self.places = places.filter { seen.insert($0.directory.standardizedFileURL.resolvingSymlinksInPath().path).inserted }
    }

    /// The path `zoo` searches: `zoo` is the `--zoo` option, `executable` the running binary.
    public static func standard(zoo: String?, executable: URL?,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> ZooSearchPath {
        var places: [Place] = []
        if let zoo { places.append(Place(directory: URL(fileURLWithPath: zoo), origin: "--zoo")) }
        if let dir = environment["ZOO_DIR"], !dir.isEmpty { places.append(Place(directory: URL(fileURLWithPath: dir), origin: "ZOO_DIR")) }
        let local = URL(fileURLWithPath: "Zoo")
        if FileManager.default.fileExists(atPath: local.appendingPathComponent(ZooRegistry.indexFile).path) {
            places.append(Place(directory: local, origin: "./Zoo"))
        }
        if let installed = installedZoo(executable: executable) { places.append(Place(directory: installed, origin: "installed")) }
        places.append(Place(directory: userZoo(environment: environment), origin: "user"))
        return ZooSearchPath(places: places)
    }

    /// `<prefix>/share/transformer-zoo/Zoo` when `executable` is `<prefix>/bin/NAME`.
    public static func installedZoo(executable: URL?) -> URL? {
        guard let bin = executable?.standardizedFileURL.deletingLastPathComponent(), bin.lastPathComponent == "bin" else { return nil }
        return bin.deletingLastPathComponent().appendingPathComponent("share/transformer-zoo/Zoo")
    }

    /// `$XDG_DATA_HOME/transformer-zoo/Zoo`, or `~/.local/share/transformer-zoo/Zoo`.
    public static func userZoo(environment: [String: String]) -> URL {
        let base: URL
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = URL(fileURLWithPath: home).appendingPathComponent(".local/share")
        }
        return base.appendingPathComponent("transformer-zoo/Zoo")
    }

    /// `--model`: a directory holding a config.json, else the first entry of that name on the path.
    public func resolve(_ nameOrPath: String) throws -> ZooEntry {
        let direct = URL(fileURLWithPath: nameOrPath)
        if FileManager.default.fileExists(atPath: direct.appendingPathComponent(ZooEntry.configFile).path) {
            return try ZooEntry(directory: direct)
        }
        if !nameOrPath.contains("/") {
            for place in places where place.exists {
                if let entry = try ZooRegistry(root: place.directory).entry(named: nameOrPath) { return entry }
            }
        }
        throw ZooError.unknownModel(nameOrPath, searched: places.map(\.description),
                                    known: ((try? entries()) ?? []).map(\.entry.name))
    }

    /// Every model on the path with the zoo it lives in, sorted by name; a name is listed once,
    /// from the first zoo that holds it (the one `resolve` finds).
    public func entries() throws -> [(entry: ZooIndexEntry, place: Place)] {
        var found: [String: (entry: ZooIndexEntry, place: Place)] = [:]
        for place in places where place.exists {
            for entry in try ZooRegistry(root: place.directory).entries() where found[entry.name] == nil {
                found[entry.name] = (entry, place)
            }
        }
        return found.values.sorted { $0.entry.name < $1.entry.name }
    }
}
