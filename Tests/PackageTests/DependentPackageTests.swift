import Foundation
import Testing
import Tokenization

/// The package as another package sees it: a dependency by version, from which SwiftPM refuses
/// unsafe build flags. The working tree's package files, committed and tagged 1.0.0 in a scratch
/// git repository, are what a throw-away package depends on `from: "1.0.0"`; built without
/// ZOO_NATIVE_BUILD, it must tokenize a sentence as our Tokenization does in this process.
@Suite struct DependentPackageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let model = root.appendingPathComponent("Tokenizers/kjv-unigram-8000.model").path
    static let sentence = "In the beginning God created the heaven and the earth."

    let temp = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-dependent-\(UUID().uuidString)")

    @Test func buildsAndTokenizesAsAVersionedDependency() throws {
        defer { try? FileManager.default.removeItem(at: temp) }
        let zoo = temp.appendingPathComponent("TransformerZoo"), app = temp.appendingPathComponent("App")
        try copyPackageFiles(to: zoo)
        let identity = ["-c", "user.name=zoo", "-c", "user.email=zoo@localhost", "-c", "commit.gpgsign=false"]
        for arguments in [["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"], ["tag", "1.0.0"]] {
            try run(["git"] + identity + arguments, in: zoo)
        }
        try writeApp(at: app, dependingOn: zoo)
        // Nothing left in the user's shared caches: each run's repository is a new temporary path.
        let scratch = temp.appendingPathComponent("scratch").path
        try run(["swift", "build", "--scratch-path", scratch, "--disable-dependency-cache", "--manifest-cache", "local"], in: app)
        let printed = try run(["\(scratch)/debug/App", Self.model, Self.sentence], in: app)
        let expected = try SentencePieceTokenizer(contentsOf: Self.model).encodePieces(Self.sentence)
        #expect(printed.split(separator: "\n").map(String.init) == expected)
    }

    /// Package.swift and the folders it names, as the working tree holds them (untracked files
    /// too), so that what is tested is what would be committed.
    func copyPackageFiles(to destination: URL) throws {
        let files = try run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                             "Package.swift", "Sources", "Benchmarks", "Tests"], in: Self.root)
        for path in files.split(separator: "\0").map(String.init) {
            let source = Self.root.appendingPathComponent(path), target = destination.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: source.path) else { continue }  // deleted, not yet committed
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: source, to: target)
        }
    }

    /// The README's example: one executable that prints a sentence's pieces, one a line.
    func writeApp(at app: URL, dependingOn zoo: URL) throws {
        let sources = app.appendingPathComponent("Sources/App")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        try """
        // swift-tools-version:6.1
        import PackageDescription

        let package = Package(
            name: "App",
            platforms: [.macOS(.v14)],
            dependencies: [.package(url: "file://\(zoo.path)", from: "1.0.0")],
            targets: [.executableTarget(name: "App", dependencies: [.product(name: "Tokenization", package: "TransformerZoo")])]
        )
        """.write(to: app.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        try """
        import Tokenization

        let tokenizer = try SentencePieceTokenizer(contentsOf: CommandLine.arguments[1])
        for piece in tokenizer.encodePieces(CommandLine.arguments[2]) { print(piece) }
        """.write(to: sources.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `arguments` (found on PATH) in `directory` as a dependent's build would, without
    /// ZOO_NATIVE_BUILD (`make test` sets it), and returns its standard output. A failure throws
    /// with its stderr and stdout, where SwiftPM prints the compiler's errors.
    @discardableResult
    func run(_ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["ZOO_NATIVE_BUILD"] = nil
        process.environment = environment
        // Files, not pipes: a child filling the pipe not being read would wait forever.
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        let out = temp.appendingPathComponent("stdout"), err = temp.appendingPathComponent("stderr")
        for file in [out, err] { try Data().write(to: file) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        let stdout = try String(contentsOf: out, encoding: .utf8), stderr = try String(contentsOf: err, encoding: .utf8)
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "`\(arguments.joined(separator: " "))` exited \(process.terminationStatus)\n"
                                + "stderr:\n\(stderr)\nstdout:\n\(stdout)")
        }
        return stdout
    }
}
