import Foundation
import Testing

/// What the line-oriented commands do with their input, on the shipped bible-en-es, the GPT-2
/// fixture and the SentencePiece fixture: one output line per input line (a blank one for a blank
/// one), invalid UTF-8 refused with its place, and the model's context said out loud, never
/// cut silently.
@Suite struct TextInputCLITests {
    static let spm = ZooCLITests.fixtures.appendingPathComponent("spm/unigram_nfkc.model").path
    /// "café" with é in Latin-1: not UTF-8.
    static let latin1Cafe: [UInt8] = [0x63, 0x61, 0x66, 0xE9]

    /// The shipped entry's context (config.json's model.maxLength).
    static func context(of entry: String) throws -> Int {
        let data = try Data(contentsOf: ZooCLITests.root.appendingPathComponent("Zoo/\(entry)/config.json"))
        let config = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require((config["model"] as? [String: Any])?["maxLength"] as? Int)
    }

    /// Runs `zoo arguments + [bytes]`: the last argument as raw bytes, through the shell, since
    /// `Process` passes only valid strings.
    static func run(_ arguments: [String], rawLast bytes: [UInt8], input: Data = Data()) throws -> ZooCLITests.Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-raw-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" \"$@\" \"$(cat \"$ZOO_RAW_ARGUMENT\")\"", ZooCLITests.zoo.path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["ZOO_RAW_ARGUMENT": file.path]) { $1 }
        process.currentDirectoryURL = ZooCLITests.root
        return try collect(process, input: input)
    }

    /// Runs `zoo arguments` with `input` (any bytes) on standard input.
    static func run(_ arguments: [String], bytes input: Data) throws -> ZooCLITests.Result {
        let process = Process()
        process.executableURL = ZooCLITests.zoo
        process.arguments = arguments
        process.currentDirectoryURL = ZooCLITests.root
        return try collect(process, input: input)
    }

    static func collect(_ process: Process, input: Data) throws -> ZooCLITests.Result {
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        inp.fileHandleForWriting.write(input)
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ZooCLITests.Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Lines of `text` as printed: each ends with "\n".
    static func lines(_ text: String) -> [String] {
        text.hasSuffix("\n") ? text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) : ["<no final newline>"]
    }

    // MARK: - Translation

    @Test func translateKeepsBlankLinesAndRefusesWhatTheContextCannotHold() throws {
        let cli = ZooCLITests()
        let blanks = try cli.run(["translate", "--model", "bible-en-es", "--beam", "1"], input: "The house is small.\n\n  \nIn the beginning.\n")
        #expect(blanks.status == 0 && blanks.stderr.isEmpty, "\(blanks.stderr)")
        let out = Self.lines(blanks.stdout)
        #expect(out.count == 4 && !out[0].isEmpty && out[1].isEmpty && out[2].isEmpty && !out[3].isEmpty, "\(blanks.stdout.debugDescription)")

        // Longer than the context: one error naming the line and the limit, nothing translated
        // (fairseq keeps a prefix when told to cut; the end of a sentence alone is never right).
        let context = try Self.context(of: "bible-en-es")
        let long = Array(repeating: "and the house", count: context).joined(separator: " ")
        let refused = try cli.run(["translate", "--model", "bible-en-es", "--beam", "1"], input: "The house is small.\n\n\(long)\n")
        ErrorLineCLITests.expectErrorLine(refused, status: 1, containing: "stdin:3: ")
        #expect(refused.stderr.hasSuffix("tokens (end-of-text included), longer than the model's context of \(context); split it\n"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let argument = try cli.run(["translate", "--model", "bible-en-es", "The house.", long])
        ErrorLineCLITests.expectErrorLine(argument, status: 1, containing: "sentence 2: ")
    }

    @Test func translateRefusesInvalidUTF8OnStdinAndInArguments() throws {
        var input = Data("The house is small.\n".utf8)
        input += Data(Self.latin1Cafe + [0x0A])
        let stdin = try Self.run(["translate", "--model", "bible-en-es"], bytes: input)
        ErrorLineCLITests.expectErrorLine(stdin, status: 1, "stdin:2: not valid UTF-8")
        #expect(stdin.stdout.isEmpty)
        // Arguments are counted after `zoo`: translate, --model, bible-en-es, then the text.
        let argument = try Self.run(["translate", "--model", "bible-en-es"], rawLast: Self.latin1Cafe)
        ErrorLineCLITests.expectErrorLine(argument, status: 1, "argument 4:1: not valid UTF-8")
    }

    // MARK: - Generation

    /// The GPT-2 fixture imported as an entry: context 64, random weights, loads in milliseconds.
    static func gpt2(in dir: URL) throws -> String {
        let out = dir.appendingPathComponent("Zoo/gpt2-tiny").path
        let r = try ZooCLITests().run(["import", "gpt2", ZooCLITests.fixtures.appendingPathComponent("gpt2-tiny").path, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    @Test func generateSaysWhenTheContextStopsItAndKeepsPromptLinesAligned() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-generate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.gpt2(in: dir)
        let cli = ZooCLITests()

        // Within the context: no note.
        let short = try cli.run(["generate", "--model", model, "--prompt", "hello", "--max-tokens", "5", "--temperature", "0"])
        #expect(short.status == 0 && short.stderr.isEmpty && short.stdout.hasPrefix("hello"), "\(short.stderr)")
        // Beyond it: one note saying where generation stops instead.
        let long = try cli.run(["generate", "--model", model, "--prompt", "hello", "--max-tokens", "1000", "--temperature", "0"])
        #expect(long.status == 0, "\(long.stderr)")
        let note = Self.lines(long.stderr)
        #expect(note.count == 1 && note[0].hasPrefix("note: the model's context is 64 tokens and the prompt takes ")
                    && note[0].hasSuffix(", not 1000 (--max-tokens)"), "\(long.stderr)")
        // A prompt longer than the context: continued from its end, and said so.
        let huge = try cli.run(["generate", "--model", model, "--prompt", String(repeating: "hello ", count: 100), "--max-tokens", "3", "--temperature", "0"])
        #expect(huge.status == 0 && Self.lines(huge.stderr).count == 1 && huge.stderr.contains("it is continued from its last 63"), "\(huge.stderr)")

        // A prompts file: one output line per line, blank for blank, in order.
        let prompts = dir.appendingPathComponent("prompts.txt")
        try Data("hello\n\nworld\n".utf8).write(to: prompts)
        let batch = try cli.run(["generate", "--model", model, "--prompts-file", prompts.path, "--max-tokens", "4", "--temperature", "0"])
        #expect(batch.status == 0, "\(batch.stderr)")
        let out = Self.lines(batch.stdout)
        #expect(out.count == 3 && out[0].hasPrefix("hello") && out[1].isEmpty && out[2].hasPrefix("world"), "\(batch.stdout.debugDescription)")
        let piped = try cli.run(["generate", "--model", model, "--prompts-file", "-", "--max-tokens", "4", "--temperature", "0"], input: "hello\n\nworld\n")
        #expect(piped.stdout == batch.stdout, "\(piped.stderr)")
    }

    @Test func generateRefusesInvalidUTF8InThePromptAndThePromptsFile() throws {
        // The prompt is checked before the model is looked up; it is the 5th word after `zoo`.
        let prompt = try Self.run(["generate", "--model", "gpt-kjv", "--prompt"], rawLast: Self.latin1Cafe)
        ErrorLineCLITests.expectErrorLine(prompt, status: 1, "argument 5:1: not valid UTF-8")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-prompts-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try (Data("In the beginning\n\nAnd God said\n".utf8) + Data(Self.latin1Cafe)).write(to: file)
        let prompts = try ZooCLITests().run(["generate", "--model", "gpt-kjv", "--prompts-file", file.path])
        ErrorLineCLITests.expectErrorLine(prompts, status: 1, "\(file.path):4: not valid UTF-8")
        let stdin = try Self.run(["generate", "--model", "gpt-kjv", "--prompts-file", "-"], bytes: Data("ok\n".utf8) + Data(Self.latin1Cafe))
        ErrorLineCLITests.expectErrorLine(stdin, status: 1, "stdin:2: not valid UTF-8")
    }

    // MARK: - Tokenizer

    @Test func tokenizerEncodeKeepsBlankLinesAndRefusesInvalidUTF8() throws {
        let aligned = try ZooCLITests().run(["tokenizer", "encode", "--model", Self.spm], input: "In the beginning\n\nthe earth\n")
        #expect(aligned.status == 0 && aligned.stderr.isEmpty)
        let out = Self.lines(aligned.stdout)
        #expect(out.count == 3 && out[0].hasPrefix("▁") && out[1].isEmpty && out[2].hasPrefix("▁"), "\(aligned.stdout.debugDescription)")

        // Not "▁ca f" for café: the line is refused.
        let refused = try Self.run(["tokenizer", "encode", "--model", Self.spm], bytes: Data("ok\n\n".utf8) + Data(Self.latin1Cafe + [0x0A]))
        ErrorLineCLITests.expectErrorLine(refused, status: 1, "stdin:3: not valid UTF-8")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-spm-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("train.txt")
        try (Data("the cat\nthe dog\n".utf8) + Data(Self.latin1Cafe + [0x0A])).write(to: text)
        let train = try ZooCLITests().run(["tokenizer", "train", "--input", text.path, "--vocab-size", "12", "--out", dir.appendingPathComponent("t.model").path])
        ErrorLineCLITests.expectErrorLine(train, status: 1, "\(text.path):3: not valid UTF-8")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.model").path))
    }

    // MARK: - Evaluation

    /// `zoo eval` in a log (stderr is a pipe here): a progress line every tenth of the data.
    @Test func evalReportsProgressWhenStderrIsNotATerminal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-eval-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("test.en"), ref = dir.appendingPathComponent("test.es")
        try Data(String(repeating: "The house is small.\n", count: 20).utf8).write(to: src)
        try Data(String(repeating: "La casa es pequeña.\n", count: 20).utf8).write(to: ref)
        let r = try ZooCLITests().run(["eval", "--model", "bible-en-es", "--src", src.path, "--ref", ref.path, "--beam", "1", "--batch-size", "2"])
        #expect(r.status == 0 && r.stdout.contains("BLEU|"), "\(r.stderr)")
        let steps = Self.lines(r.stderr).compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
        #expect(steps == (1...10).map { "\($0 * 2)/20" }, "\(r.stderr)")
    }
}
