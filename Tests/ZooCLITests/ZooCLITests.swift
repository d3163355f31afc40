import Foundation
import Testing

/// The `zoo` executable end to end: what a user types, what they see, and the exit status.
@Suite struct ZooCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
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

    func run(_ arguments: [String], input: String? = nil, in directory: URL = ZooCLITests.root) throws -> Result {
        let process = Process()
        process.executableURL = Self.zoo
        process.arguments = arguments
        process.currentDirectoryURL = directory
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

    @Test func versionAndHelp() throws {
        let version = try run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let help = try run(["--help"])
        for sub in ["run", "generate", "list", "finetune", "tokenizer", "import", "bench", "demo"] {
            #expect(help.stdout.contains(sub), "zoo --help does not mention \(sub)")
        }
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
