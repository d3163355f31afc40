import ArgumentParser
import Foundation
import Tasks

/// `--zoo DIR`, on every command that finds models by name: the zoo searched before the others
/// (`ZooSearchPath`: $ZOO_DIR, ./Zoo, the installed zoo, the user's).
struct ZooOption: ParsableArguments {
    @Option(name: .customLong("zoo"), help: ArgumentHelp("A zoo directory searched first, before $ZOO_DIR, ./Zoo, the installed and the user's zoo (see `zoo list`).", valueName: "dir"))
    var directory: String?

    var searchPath: ZooSearchPath { ZooSearchPath.standard(zoo: directory, executable: Self.executable) }

    /// `--model`: a model directory, or a name looked up along the search path.
    func resolve(_ model: String) throws -> ZooEntry { try searchPath.resolve(model) }

    /// The running binary, symbolic links resolved (so an installed `bin/zoo` finds its `share/`).
    static var executable: URL? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: path) }
        return Bundle.main.executableURL?.resolvingSymlinksInPath()
    }
}
