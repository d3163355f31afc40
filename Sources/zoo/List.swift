import ArgumentParser
import Foundation
import Tasks

/// `zoo list [--json]`: the models in the zoo with their metrics.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the models in the zoo with their task and metrics.",
        discussion: """
            Reads Zoo/index.json (written when a model is exported) and any entry directory the \
            index does not list yet. With --json, prints one JSON object per model and line, with \
            at least name, task (\(TaskCatalog.shipped.map(\.name.rawValue).joined(separator: ", "))), \
            metrics, parameters and path.

            Example:
              zoo list
              zoo list --json | jq -r 'select(.task == "language-model") | .name'
            """
    )

    @Flag(help: "One JSON object per line instead of a table.")
    var json = false

    @Option(help: "The zoo directory (default: Zoo, or $ZOO_DIR).")
    var zoo: String?

    func run() throws {
        let registry = ZooRegistry(root: zoo.map { URL(fileURLWithPath: $0) } ?? ZooRegistry.defaultRoot)
        let entries = try registry.entries()
        if json {
            for e in entries { print(e.jsonLine) }
            return
        }
        guard !entries.isEmpty else {
            print("no models in \(registry.root.relativePath)/ (zoo run RECIPE trains one)")
            return
        }
        let rows = entries.map { e -> [String] in
            let metrics = e.metrics.keys.sorted().map { "\($0) \(String(format: "%.4g", e.metrics[$0]!))" }.joined(separator: ", ")
            return [e.name, e.task.rawValue, ModelCard.count(e.parameters), metrics]
        }
        let header = ["NAME", "TASK", "PARAMETERS", "METRICS"]
        let widths = (0..<3).map { c in ([header] + rows).map { $0[c].count }.max()! }
        for row in [header] + rows {
            print((0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + row[3])
        }
    }
}
