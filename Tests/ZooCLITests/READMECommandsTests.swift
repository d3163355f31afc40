import Foundation
import Testing

/// README.md's command lines (its `sh` blocks) against the commands themselves: every `zoo` call
/// there is a command `--help` describes, with options it lists; every command appears there; and
/// the lines that need nothing but the repository's own files run as written.
@Suite struct READMECommandsTests {
    let cli = ZooCLITests()

    /// The README's shell lines: `sh` blocks, `\` continuations joined, comments dropped.
    static func shellLines() throws -> [String] {
        let readme = try String(contentsOf: ZooCLITests.root.appendingPathComponent("README.md"), encoding: .utf8)
        var lines: [String] = [], inBlock = false
        for line in readme.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                inBlock = !inBlock && line == "```sh"
            } else if inBlock {
                lines.append(line)
            }
        }
        return ZooCLITests.joiningContinuations(lines.map { $0.trimmingCharacters(in: .whitespaces) }).compactMap { line in
            let code = (line.range(of: " #").map { String(line[..<$0.lowerBound]) } ?? line).trimmingCharacters(in: .whitespaces)
            return code.isEmpty || code.hasPrefix("#") ? nil : code
        }
    }

    /// A shell line's words: split at blanks outside quotes, quotes removed.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], word = "", quote: Character?, inWord = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(c)
                inWord = true
            }
        }
        return inWord ? words + [word] : words
    }

    /// Root options `zoo --help` does not list (swift-argument-parser hides them).
    static let hiddenRootOptions: Set = ["--generate-completion-script"]

    @Test func everyREADMECallIsACommandWithOptionsItsHelpLists() throws {
        let helps = try cli.commandTree()
        var documented: Set<[String]> = []
        let lines = try Self.shellLines()
        #expect(lines.count > 20, "\(lines)")
        for line in lines {
            for call in ZooCLITests.invocations(line) {
                var command: [String] = [], rest = call.dropFirst()
                while let word = rest.first, helps[command]?.subcommands.contains(word) == true {
                    command.append(word)
                    rest = rest.dropFirst()
                }
                let help = try #require(helps[command])
                #expect(command.isEmpty || help.subcommands.isEmpty, "README: '\(line)' names a group of commands, not a command")
                documented.insert(command)
                for word in rest where word.hasPrefix("-") && word.count > 1 && !(word.dropFirst().first?.isNumber ?? true) {
                    let option = String(word.prefix { $0 != "=" })
                    #expect(help.options.contains(option) || (command.isEmpty && Self.hiddenRootOptions.contains(option)),
                            "README: '\(line)' uses \(option), which zoo \(command.joined(separator: " ")) does not list")
                }
            }
        }
        let leaves = helps.filter { !$0.key.isEmpty && $0.value.subcommands.isEmpty }.keys
        for leaf in leaves.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            #expect(documented.contains(leaf), "README shows no line running zoo \(leaf.joined(separator: " "))")
        }
    }

    /// Commands that only read, and so can be run from the README as they are.
    static let readOnly: [[String]] = [["--version"], ["list"], ["show"], ["generate"], ["translate"], ["parse"], ["classify"],
                                       ["eval"], ["bleu"], ["evalb"], ["tokenizer", "encode"], ["tokenizer", "decode"]]

    /// A line is run when each of its commands only reads and every file it names is one of the
    /// repository's own (data sets and runs are made by training, so lines naming them are not).
    static func runnable(_ line: String) -> Bool {
        let calls = ZooCLITests.invocations(line)
        guard !calls.isEmpty, !line.contains(">"), !line.hasPrefix("sudo"),
              calls.allSatisfy({ call in readOnly.contains { Array(call.dropFirst().prefix($0.count)) == $0 } })
        else { return false }
        let extensions: Set = ["txt", "model", "yaml", "en", "es", "tok", "safetensors", "pgm", "ppm", "json"]
        let files = words(line).filter { word in
            !word.hasPrefix("-") && (word.contains("/") || word.contains("*") || extensions.contains(String(word.split(separator: ".").last ?? "")))
        }
        return files.allSatisfy { file in
            !file.hasPrefix("data/") && !file.hasPrefix("/") && !file.contains("*")
                && FileManager.default.fileExists(atPath: ZooCLITests.root.appendingPathComponent(file).path)
        }
    }

    /// The README's lines that need no training, run by a shell in the repository with `zoo` on
    /// the PATH: each exits 0 with output and no error.
    @Test func readmeLinesThatNeedNoTrainingRunAsWritten() throws {
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("zoo"), withDestinationURL: ZooCLITests.zoo)
        let lines = try Self.shellLines().filter(Self.runnable)
        for command in ["list", "generate", "translate", "parse", "tokenizer encode"] {
            #expect(lines.contains { $0.contains("zoo \(command)") }, "no runnable README line runs zoo \(command): \(lines)")
        }
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        for line in lines {
            let r = try cli.run(["-o", "pipefail", "-c", line], environment: ["PATH": path, "ZOO_DIR": nil],
                                executable: URL(fileURLWithPath: "/bin/bash"))
            #expect(r.status == 0 && !r.stdout.isEmpty && !r.stderr.contains("Error"), "README: '\(line)' exited \(r.status): \(r.stderr)")
        }
    }

    /// `zoo --generate-completion-script SHELL`, as the README documents it: a script for each
    /// shell that completes the subcommands.
    @Test func completionScriptsCoverTheSubcommands() throws {
        let top = try cli.help([]).subcommands
        for shell in ["bash", "zsh", "fish"] {
            let r = try cli.run(["--generate-completion-script", shell])
            #expect(r.status == 0 && r.stderr.isEmpty, "\(shell): \(r.stderr)")
            for command in top { #expect(r.stdout.contains(command), "the \(shell) completion script lacks \(command)") }
        }
    }
}
