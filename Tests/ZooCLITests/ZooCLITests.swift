import Foundation
import Testing

/// The `zoo` executable end to end: what a user types, what they see, and the exit status.
@Suite struct ZooCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `metrics` of a shipped entry's config.json: what its card reports.
    static func shippedMetrics(_ entry: String) throws -> [String: Double] {
        let data = try Data(contentsOf: root.appendingPathComponent("Zoo/\(entry)/config.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["metrics"] as? [String: Double], "Zoo/\(entry)/config.json")
    }
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")

    /// The `zoo` built next to this test bundle.
    static var zoo: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("zoo").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("zoo")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `zoo arguments` (or another `executable`) in `directory`; `environment` overrides
    /// variables of ours (nil removes one).
    func run(_ arguments: [String], input: String? = nil, in directory: URL = ZooCLITests.root,
             environment: [String: String?] = [:], executable: URL = ZooCLITests.zoo) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (name, value) in environment { env[name] = value }
            process.environment = env
        }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// One command's `--help` as a user reads it.
    struct Help {
        var path: [String]
        var text: String
        /// The lines of its "Example:" or "Examples:" section, indentation removed.
        var examples: [String]
        /// The subcommands under SUBCOMMANDS.
        var subcommands: [String]
        /// The options USAGE and OPTIONS list, as `--name` and `-x`.
        var options: Set<String>
    }

    /// `zoo path... --help`, which must exit 0 with nothing on stderr, at `columns` (by default
    /// wide enough that no line wraps).
    func help(_ path: [String], columns: Int = 1000, sourceLocation: SourceLocation = #_sourceLocation) throws -> Help {
        let r = try run(path + ["--help"], environment: ["COLUMNS": String(columns)])
        let name = (["zoo"] + path).joined(separator: " ")
        #expect(r.status == 0 && r.stderr.isEmpty, "\(name) --help: status \(r.status), \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stdout.components(separatedBy: "\n")
        // The indented lines after a header line, up to the first blank one.
        func section(_ isHeader: (String) -> Bool) -> [String] {
            guard let start = lines.firstIndex(where: isHeader) else { return [] }
            return Array(lines[(start + 1)...].prefix { $0.hasPrefix("  ") })
        }
        let examples = Self.joiningContinuations(section { $0 == "Example:" || $0 == "Examples:" }.map { $0.trimmingCharacters(in: .whitespaces) })
        let subcommands = section { $0 == "SUBCOMMANDS:" }.filter { !$0.dropFirst(2).hasPrefix(" ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        let usage = lines.drop { !$0.hasPrefix("USAGE:") }.joined(separator: " ")
        let options = usage.split(whereSeparator: \.isWhitespace)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[](),<>.")) }
            .filter { $0.hasPrefix("-") && $0.count > 1 && !$0.hasPrefix("---") }
        return Help(path: path, text: r.stdout, examples: examples, subcommands: subcommands, options: Set(options))
    }

    /// Lines with their `\` continuations joined, as a shell reads them.
    static func joiningContinuations(_ lines: [String]) -> [String] {
        var joined: [String] = [], pending: String?
        for line in lines {
            let current = pending.map { $0 + " " + line } ?? line
            pending = nil
            if current.hasSuffix("\\") {
                pending = current.dropLast().trimmingCharacters(in: .whitespaces)
            } else {
                joined.append(current)
            }
        }
        return joined + (pending.map { [$0] } ?? [])
    }

    /// The `zoo` commands an example line runs: a shell pipeline whose `zoo ...` stages are split
    /// into words (`#` starts a comment).
    static func invocations(_ line: String) -> [[String]] {
        let code = line.range(of: " #").map { String(line[..<$0.lowerBound]) } ?? line
        // `mpirun [its options] zoo ...` runs the zoo command after mpirun's options.
        return code.split(separator: "|").map { $0.split(separator: " ").map(String.init) }
            .map { $0.first == "mpirun" ? Array($0.drop { $0 != "zoo" }) : $0 }.filter { $0.first == "zoo" }
    }

    /// Every command's help, from `zoo --help` down its SUBCOMMANDS, by path ([] is `zoo`).
    func commandTree() throws -> [[String]: Help] {
        var helps: [[String]: Help] = [:]
        var queue: [[String]] = [[]]
        while let path = queue.popLast() {
            let h = try help(path)
            helps[path] = h
            queue += h.subcommands.map { path + [$0] }
        }
        return helps
    }

    /// `zoo --version`: MAJOR.MINOR.PATCH and the commit it was built from (`make build` writes
    /// it; this test's `swift build` leaves "unknown").
    @Test func versionIsMajorMinorPatchAndCommit() throws {
        let version = try run(["--version"])
        #expect(version.status == 0 && version.stderr.isEmpty)
        let words = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1).map(String.init)
        try #require(words.count == 2, "\(version.stdout.debugDescription)")
        let parts = words[0].split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3 && parts.allSatisfy { UInt($0) != nil }, "\(version.stdout.debugDescription)")
        #expect(words[1].hasPrefix("(commit ") && words[1].hasSuffix(")") && words[1].count > "(commit )".count, "\(version.stdout.debugDescription)")
        let source = try String(contentsOf: Self.root.appendingPathComponent("Sources/zoo/BuildCommit.swift"), encoding: .utf8)
        let line = try #require(source.split(separator: "\n").first { $0.contains("static let commit") })
        let commit = try #require(line.split(separator: "\"").dropFirst().first.map(String.init))
        #expect(words[1] == "(commit \(commit))")
    }

    /// README: "Every subcommand has `--help` with examples". Each subcommand's help has an
    /// Example(s) section; each example line runs a `zoo` command that exists, with options that
    /// command lists; the section runs the subcommand it documents; every command a user can run
    /// is shown by an example in its own help or its parent's.
    @Test func everySubcommandsHelpHasExamplesThatRunIt() throws {
        let helps = try commandTree()
        let top = try #require(helps[[]]).subcommands
        let shipped: Set = ["run", "generate", "list", "finetune", "tokenizer", "import", "data", "bench", "demo", "bleu", "attention",
                            "average", "translate", "classify", "eval"]
        #expect(shipped.isSubset(of: Set(top)), "zoo --help lists \(top)")
        var shown: [[String]: Set<[String]>] = [:]  // help path -> the commands its examples run
        for (path, h) in helps.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where !path.isEmpty {
            let name = (["zoo"] + path).joined(separator: " ")
            if path.count == 1 { #expect(!h.examples.isEmpty, "\(name) --help has no Examples: section") }
            for line in h.examples {
                let calls = Self.invocations(line)
                #expect(!calls.isEmpty, "\(name) --help: the example '\(line)' runs no zoo command")
                for call in calls {
                    var command: [String] = [], rest = call.dropFirst()
                    while let word = rest.first, helps[command]?.subcommands.contains(word) == true {
                        command.append(word)
                        rest = rest.dropFirst()
                    }
                    guard let leaf = helps[command], !command.isEmpty, leaf.subcommands.isEmpty else {
                        Issue.record("\(name) --help: '\(line)' does not run a zoo command")
                        continue
                    }
                    shown[path, default: []].insert(command)
                    for word in rest where word.hasPrefix("-") && word.count > 1 && !(word.dropFirst().first?.isNumber ?? true) {
                        let option = String(word.prefix { $0 != "=" })
                        #expect(leaf.options.contains(option),
                                "\(name) --help: '\(line)' uses \(option), which zoo \(command.joined(separator: " ")) does not list")
                    }
                }
            }
            if !h.examples.isEmpty {
                #expect(shown[path, default: []].contains { $0.starts(with: path) }, "no example in \(name) --help runs \(name)")
            }
        }
        for (path, h) in helps where !path.isEmpty && h.subcommands.isEmpty {
            let shownBy = (1 ... path.count).map { Array(path.prefix($0)) }.filter { shown[$0]?.contains(path) == true }
            #expect(!shownBy.isEmpty, "no example in its help or its parent's runs zoo \(path.joined(separator: " "))")
        }
    }

    /// Examples copy cleanly from a terminal of 80 columns: every example line fits, so the help
    /// printed there has the same example lines as the unwrapped one.
    @Test func helpExamplesAreNeverWrappedAt80Columns() throws {
        for (path, wide) in try commandTree() {
            let narrow = try help(path, columns: 80)
            #expect(narrow.examples == wide.examples,
                    "zoo \(path.joined(separator: " ")) --help wraps an example at 80 columns: \(wide.examples.filter { !narrow.examples.contains($0) })")
        }
    }

    /// The documented `zoo list --json`, run in the repository: one JSON object a line, each
    /// with the name, task, metrics, parameters and path of an entry of Zoo/ as its config.json
    /// says (the parameters are the training's count).
    @Test func listJSONExamplePrintsEachZooEntry() throws {
        let call = try #require(try help(["list"]).examples.flatMap(Self.invocations).first { $0.contains("--json") })
        let r = try run(Array(call.dropFirst()), environment: ["ZOO_DIR": nil])
        #expect(r.status == 0, "\(r.stderr)")

        struct Entry: Decodable, Equatable { var name: String, task: String, metrics: [String: Double], parameters: Int, path: String }
        struct Config: Decodable {
            struct Training: Decodable { var parameters: Int }
            var name: String, task: String, metrics: [String: Double], training: Training
        }
        let zoo = Self.root.appendingPathComponent("Zoo")
        let expected = try FileManager.default.contentsOfDirectory(atPath: zoo.path).sorted().compactMap { dir -> Entry? in
            guard let data = FileManager.default.contents(atPath: zoo.appendingPathComponent("\(dir)/config.json").path) else { return nil }
            let c = try JSONDecoder().decode(Config.self, from: data)
            return Entry(name: c.name, task: c.task, metrics: c.metrics, parameters: c.training.parameters, path: dir)
        }.sorted { $0.name < $1.name }
        try #require(!expected.isEmpty, "no entries in \(zoo.path)")

        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(r.stdout.hasSuffix("\n") && lines.count == expected.count, "\(r.stdout)")
        var entries: [Entry] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            for field in ["name", "task", "metrics", "parameters", "path"] {
                #expect(object[field] != nil, "no \(field) in \(line)")
            }
            #expect(["language-model", "translation", "parsing", "image-classification"].contains(object["task"] as? String), "\(line)")
            entries.append(try JSONDecoder().decode(Entry.self, from: Data(line.utf8)))
        }
        #expect(entries == expected)
    }

    /// Encoding then decoding through the CLI gives back the text, and the ids are the fixture's.
    @Test func tokenizerEncodeDecodeRoundTrip() throws {
        let model = Self.fixtures.appendingPathComponent("spm/unigram_nfkc.model").path
        let text = "In the beginning God created the heaven and the earth.\nY dijo Dios: Sea la luz"
        let pieces = try run(["tokenizer", "encode", "--model", model], input: text + "\n")
        #expect(pieces.status == 0)
        #expect(pieces.stdout.split(separator: "\n").count == 2)
        #expect(pieces.stdout.hasPrefix("▁I"))
        #expect(pieces.stdout.contains("▁the ▁beginning"))
        let ids = try run(["tokenizer", "encode", "--model", model, "--ids"], input: text + "\n")
        let back = try run(["tokenizer", "decode", "--model", model, "--ids"], input: ids.stdout)
        #expect(back.status == 0)
        #expect(back.stdout == text + "\n")
    }

    /// Input of several read blocks, encoded on every core: each line comes out in its place as
    /// its own encoding, and a line that is not UTF-8 deep in the input stops the output right
    /// before it, with the error naming it.
    @Test func tokenizerEncodeKeepsLinesInOrderAcrossBlocks() throws {
        let model = Self.fixtures.appendingPathComponent("spm/unigram_nfkc.model").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-encode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = (0..<200_000).map { "line \($0): In the beginning God created \($0 * 7919 % 1000) heavens." }
        var bytes = Data(lines.joined(separator: "\n").utf8)  // no final "\n": the last line still counts
        try bytes.write(to: dir.appendingPathComponent("big.txt"))
        #expect(bytes.count > 2 * (4 << 20))
        func encode(_ file: String) throws -> ZooCLITests.Result {
            try run(["-c", "'\(Self.zoo.path)' tokenizer encode --model '\(model)' --ids < \(file)"], in: dir, executable: URL(fileURLWithPath: "/bin/sh"))
        }
        let all = try encode("big.txt")
        #expect(all.status == 0 && all.stderr.isEmpty, "\(all.stderr)")
        let out = all.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(out.count == lines.count + 1 && out.last == "")
        for i in [0, 1, 77_777, 131_071, 199_999] {
            let one = try run(["tokenizer", "encode", "--model", model, "--ids"], input: lines[i] + "\n")
            #expect(out[i] + "\n" == one.stdout, "line \(i + 1)")
        }

        bytes = Data((lines[..<150_000].joined(separator: "\n") + "\nbad ").utf8)
        bytes.append(contentsOf: [0xFF, 0x0A])  // line 150,001
        bytes.append(Data(lines[150_001...].joined(separator: "\n").utf8))
        try bytes.write(to: dir.appendingPathComponent("bad.txt"))
        let bad = try encode("bad.txt")
        #expect(bad.status == 1)
        #expect(bad.stderr == "Error: stdin:150001: not valid UTF-8\n", "\(bad.stderr)")
        #expect(bad.stdout.split(separator: "\n", omittingEmptySubsequences: false).prefix(150_000) == out.prefix(150_000))
        #expect(bad.stdout.split(separator: "\n").count == 150_000)
    }

    @Test func badInputGetsOneErrorLineAndNonZeroExit() throws {
        let cases: [([String], String)] = [
            (["bench", "no-such-benchmark"], "no-such-benchmark"),
            (["tokenizer", "encode", "--model", "/nonexistent.model"], "/nonexistent.model"),
            (["generate", "--model", "no-such-model", "--prompt", "x"], "no-such-model"),
            (["run", "/nonexistent.yaml"], "/nonexistent.yaml"),
            (["tokenizer", "train", "--input", "/nonexistent.txt", "--vocab-size", "100", "--out", "/tmp/never.model"], "/nonexistent.txt"),
        ]
        for (arguments, mention) in cases {
            let r = try run(arguments, input: "")
            #expect(r.status != 0, "zoo \(arguments.joined(separator: " ")) exited 0")
            let firstLine = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.contains(mention), "zoo \(arguments.joined(separator: " ")): \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"), "zoo \(arguments.joined(separator: " ")) trapped: \(r.stderr)")
        }
    }

    @Test func malformedRecipeNamesFileLineAndKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The shipped recipe with one bad value.
        let good = try String(contentsOf: Self.root.appendingPathComponent("Recipes/gpt-kjv.yaml"), encoding: .utf8)
        var lines = good.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.hasPrefix("  steps:") })
        lines[index] = "  steps: many"
        let recipe = dir.appendingPathComponent("bad.yaml")
        try lines.joined(separator: "\n").write(to: recipe, atomically: true, encoding: .utf8)
        let r = try run(["run", recipe.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.yaml:\(index + 1):"), "\(r.stderr)")
        #expect(r.stderr.contains("training.steps"), "\(r.stderr)")
    }
}
