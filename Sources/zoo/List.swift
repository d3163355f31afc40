import ArgumentParser
import Foundation
import Tasks

/// `zoo list [--json]`: the models of every zoo searched, with their metrics and where they live.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the models in the zoo with their task and metrics.",
        discussion: """
            Searches, in order: --zoo DIR, $ZOO_DIR, ./Zoo (when it holds an index.json), the \
            installed zoo (PREFIX/share/transformer-zoo/Zoo for PREFIX/bin/zoo) and the user's \
            zoo ($XDG_DATA_HOME/transformer-zoo/Zoo, by default ~/.local/share/transformer-zoo/Zoo). \
            A name is listed from the first zoo that holds it, the one --model NAME finds. Each \
            zoo is read from its index.json (written when a model is exported) and any entry \
            directory the index does not list yet. The table ends with the zoos searched. With \
            --json, prints one JSON object per model and line, with at least name, task \
            (\(TaskCatalog.shipped.map(\.name.rawValue).joined(separator: ", "))), metrics, \
            parameters, path (relative to its zoo), directory (the entry's directory), zoo and \
            origin (why that zoo was searched: --zoo, ZOO_DIR, ./Zoo, installed or user).

            Example:
              zoo list
              zoo list --zoo ~/my-zoo
              zoo list --json | jq -r 'select(.task == "language-model") | .name'
            """
    )

    @Flag(help: "One JSON object per line instead of a table.")
    var json = false

    @OptionGroup var zoo: ZooOption

    /// A line of `--json`: the index's fields and where the model lives.
    struct Listed: Encodable {
        var name: String, task: String, path: String, metrics: [String: Double], parameters: Int
        var directory: String, zoo: String, origin: String
    }

    func run() throws {
        let search = zoo.searchPath
        let entries = try search.entries()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for (e, place) in entries {
                let listed = Listed(name: e.name, task: e.task.rawValue, path: e.path, metrics: e.metrics, parameters: e.parameters,
                                    directory: place.directory.appendingPathComponent(e.path).relativePath,
                                    zoo: place.directory.relativePath, origin: place.origin)
                print(String(decoding: try encoder.encode(listed), as: UTF8.self))
            }
            return
        }
        if entries.isEmpty {
            print("no models (zoo run RECIPE trains one)")
        } else {
            let rows = entries.map { e, place -> [String] in
                let metrics = e.metrics.keys.sorted().map { "\($0) \(String(format: "%.4g", e.metrics[$0]!))" }.joined(separator: ", ")
                return [e.name, e.task.rawValue, ModelCard.count(e.parameters), place.directory.appendingPathComponent(e.path).relativePath, metrics]
            }
            let header = ["NAME", "TASK", "PARAMETERS", "DIRECTORY", "METRICS"]
            let widths = (0..<4).map { c in ([header] + rows).map { $0[c].count }.max()! }
            for row in [header] + rows {
                print((0..<4).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + row[4])
            }
        }
        print("\nzoos searched, in order:")
        for place in search.places { print("  \(place.description)\(place.exists ? "" : ", not there")") }
    }
}
