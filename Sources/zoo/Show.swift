import ArgumentParser
import Foundation
import Tasks

/// `zoo show MODEL [--json]`: a zoo entry's card, metrics, training, data credit and files.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model of the zoo: its card, metrics, training, data credit and files.",
        discussion: """
            Prints the entry's card.md for a terminal (tables as aligned columns), then the \
            metrics and training facts from its config.json, the credit and licence of the data \
            it was trained on (the card's "data credit", else the built-in data set's), and its \
            files with their sizes. With --json, prints one JSON object: name, task, directory, \
            config (config.json as written), metrics, training, facts (the card's table), credit \
            (null when unknown) and files (name and bytes).

            Examples:
              zoo show gpt-kjv
              zoo show Zoo/vit-fashion-mnist --json \\
                | jq '.files[] | select(.name == "model.safetensors") | .bytes'
            """
    )

    @Argument(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Flag(help: "One JSON object instead of text.")
    var json = false

    func run() throws {
        let entry = try zoo.resolve(model)
        let card = CardText(entry.card ?? "")
        let files = try Self.files(of: entry.directory)
        let credit = card.fact("data credit") ?? Self.builtInCredit(entry.config)
        if json {
            try printJSON(entry, card: card, files: files, credit: credit)
            return
        }
        let config = entry.config
        var out = card.markdown.isEmpty ? "\(config.name) (no card.md)" : card.terminalText
        func section(_ title: String, _ rows: [(String, String)]) {
            out += "\n\n\(title)\n\(String(repeating: "-", count: title.count))"
            let width = rows.map(\.0.count).max() ?? 0
            for (what, value) in rows { out += "\n  \(what.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)" }
        }
        section("Metrics", config.metrics.keys.sorted().map { ($0, String(format: "%.4g", config.metrics[$0]!)) })
        if let dtype = config.dtype {
            section("Weights", [("dtype", dtype), ("quantized from", config.quantizedFrom ?? "not recorded")])
        }
        section("Training", Self.training(config.training).map { ($0.0, $0.1) })
        out += "\n\nData credit\n-----------\n  \(credit ?? "not recorded (see the card's data line)")"
        section("Files in \(entry.directory.relativePath)", files.map { ($0.name, Self.size($0.bytes)) })
        print(out)
    }

    /// The training facts of config.json, in words.
    static func training(_ t: ZooEntryConfig.TrainingInfo) -> [(String, String)] {
        var rows: [(String, String)] = []
        if let recipe = t.recipe { rows.append(("recipe", recipe)) }
        if let base = t.finetunedFrom { rows.append(("fine-tuned from", base)) }
        rows += [("data", t.data), ("steps", String(t.steps)), ("tokens", ModelCard.count(t.tokens)),
                 ("wall time", ProgressBar.duration(t.wallSeconds)), ("parameters", ModelCard.count(t.parameters)), ("created", t.created)]
        return rows
    }

    /// The credit of the built-in data set `training.data` names ("the built-in 'kjv' corpus ...").
    static func builtInCredit(_ config: ZooEntryConfig) -> String? {
        let parts = config.training.data.split(separator: "'", omittingEmptySubsequences: false)
        guard config.training.data.hasPrefix("the built-in '"), parts.count >= 3 else { return nil }
        return TaskCatalog.family(config.task)?.builtInSources[String(parts[1])]?.credit
    }

    /// The entry's files (hidden ones left out) with their sizes, by name.
    static func files(of directory: URL) throws -> [(name: String, bytes: Int)] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw CommandError("cannot read \(directory.relativePath): \(FileProblem.reason(error, path: directory.path, directory: true))")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            return (name, (attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    /// `938 B`, `9.4 kB`, `21.0 MB` (powers of 1000, as `ls --si`).
    static func size(_ bytes: Int) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    func printJSON(_ entry: ZooEntry, card: CardText, files: [(name: String, bytes: Int)], credit: String?) throws {
        let configURL = entry.directory.appendingPathComponent(ZooEntry.configFile)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL))
        var facts: [String: String] = [:]
        for (what, value) in card.facts where facts[what] == nil { facts[what] = value }
        let object: [String: Any] = [
            "name": entry.config.name, "task": entry.config.task.rawValue, "directory": entry.directory.relativePath,
            "config": config, "metrics": entry.config.metrics,
            "training": Dictionary(Self.training(entry.config.training), uniquingKeysWith: { a, _ in a }),
            "facts": facts, "credit": credit ?? NSNull(),
            "files": files.map { ["name": $0.name, "bytes": $0.bytes] as [String: Any] },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
