import Foundation
import Layers
import Models
@testable import ModelZoo
import Testing

/// An export that fails part-way (a full disk, an unwritable file, Ctrl-C) leaves the entry it
/// would have replaced whole and nothing the registry lists: the new entry is written in a hidden
/// directory and swapped in only when complete.
@Suite struct ZooExportAtomicityTests {
    struct Injected: Error, CustomStringConvertible {
        var step: String
        var description: String { "injected failure after \(step)" }
    }

    /// The export of an entry named `name` with metric `metric`, failing after `failAfter`.
    static func export(_ name: String, metric: Double, zoo: URL, failAfter: String? = nil, canExchange: Bool = true) throws -> ZooEntry {
        let model = ZooRegistryTests.model
        let config = ZooEntryConfig(name: name, task: "language-model", model: model.config,
                                    tokenizer: .init(kind: "sentencepiece", files: ["tokenizer.model"]), metrics: ["val_loss": metric],
                                    training: .init(recipe: nil, data: "none", steps: 0, tokens: 0, wallSeconds: 0, parameters: model.parameterCount))
        // Weights that differ with the metric, so a half-replaced entry would show.
        let weights = model.namedParameters.map { ($0.name, Tensor(repeating: Float(metric), shape: $0.tensor.shape)) }
        return try ZooRegistry.export(ZooExport(config: config, weights: weights, tokenizerFiles: [ZooRegistryTests.tokenizerFixture],
                                                card: "# \(name) \(metric)\n"),
                                      to: zoo.appendingPathComponent(name),
                                      exchange: canExchange ? DirectorySwap.exchange : { _, _ in false }) { step in
            if step == failAfter { throw Injected(step: step) }
        }
    }

    /// Every file of the entry directory, by name.
    static func contents(_ directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            files[name] = try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return files
    }

    /// A failure after the weights are written, just before the swap, or (where directories cannot
    /// be exchanged in one step) once the old entry is already renamed aside, leaves the old entry
    /// byte for byte, the index as it was and no directory but the entry's.
    @Test(arguments: [true, false]) func aFailedExportLeavesTheOldEntryWhole(canExchange: Bool) throws {
        let dir = try ZooRegistryTests.temporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo")
        let old = try Self.export("m", metric: 2, zoo: zoo)
        let before = try Self.contents(old.directory)
        let index = try Data(contentsOf: zoo.appendingPathComponent("index.json"))

        for step in ["model.safetensors", "card.md", canExchange ? "exchange" : "swap"] {
            let message = ZooRegistryTests.errorMessage { try Self.export("m", metric: 7, zoo: zoo, failAfter: step, canExchange: canExchange) }
            #expect(message.hasSuffix("injected failure after \(step)"), "\(message)")
            #expect(try Self.contents(old.directory) == before, "after a failure at \(step)")
            #expect(try Data(contentsOf: zoo.appendingPathComponent("index.json")) == index)
            #expect(try FileManager.default.contentsOfDirectory(atPath: zoo.path).sorted() == ["index.json", "m"], "after a failure at \(step)")
            let listed = try ZooRegistry(root: zoo).entries()
            #expect(listed.map(\.name) == ["m"] && listed[0].metrics == ["val_loss": 2])
            #expect(try ZooRegistry(root: zoo).resolve("m").loadWeights().values.allSatisfy { $0.scalars.allSatisfy { $0 == 2 } })
        }
        // The same export without the failure replaces it, leaving nothing else behind.
        _ = try Self.export("m", metric: 7, zoo: zoo, canExchange: canExchange)
        #expect(try ZooRegistry(root: zoo).resolve("m").config.metrics == ["val_loss": 7])
        #expect(try FileManager.default.contentsOfDirectory(atPath: zoo.path).sorted() == ["index.json", "m"])
    }

    /// A new entry whose export fails leaves no trace at all.
    @Test func aFailedFirstExportLeavesNothing() throws {
        let dir = try ZooRegistryTests.temporaryDirectory("atomic-new")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo")
        try FileManager.default.createDirectory(at: zoo, withIntermediateDirectories: true)
        #expect(ZooRegistryTests.errorMessage { try Self.export("m", metric: 1, zoo: zoo, failAfter: "model.safetensors") } != "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: zoo.path).isEmpty)
    }

    /// Two directories exchanged in one step: each name then holds the other's files.
    @Test func directorySwapExchangesTwoDirectories() throws {
        let dir = try ZooRegistryTests.temporaryDirectory("exchange")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        for (d, text) in [(a, "first"), (b, "second")] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: d.appendingPathComponent(text))
        }
        #expect(DirectorySwap.exchange(a, b))
        #expect(try FileManager.default.contentsOfDirectory(atPath: a.path) == ["second"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: b.path) == ["first"])
        #expect(!DirectorySwap.exchange(a, dir.appendingPathComponent("missing")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: a.path) == ["second"])
    }

    /// What an export killed outright leaves (its hidden temporary directory, complete or not) is
    /// not an entry: listings skip it and the old entry is the one found.
    @Test func leftoversOfAKilledExportAreNotListed() throws {
        let dir = try ZooRegistryTests.temporaryDirectory("atomic-killed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = dir.appendingPathComponent("Zoo")
        let old = try Self.export("m", metric: 2, zoo: zoo)
        let leftover = zoo.appendingPathComponent(".m.tmp-12345-678")
        try FileManager.default.copyItem(at: old.directory, to: leftover)
        try FileManager.default.removeItem(at: zoo.appendingPathComponent("index.json"))
        #expect(try ZooRegistry(root: zoo).entries().map(\.name) == ["m"])
        #expect(try ZooRegistry(root: zoo).resolve("m").directory.lastPathComponent == "m")
    }

    /// The registry's protection of outputs: an existing entry needs `force`, the entry a model is
    /// read from is never replaced, and messages show the path as given.
    @Test func existingOutputsNeedForceAndSourcesAreNeverReplaced() throws {
        let dir = try ZooRegistryTests.temporaryDirectory("protected")
        defer { try? FileManager.default.removeItem(at: dir) }
        let entry = try Self.export("m", metric: 2, zoo: dir.appendingPathComponent("Zoo"))
        let base = URL(fileURLWithPath: dir.path, isDirectory: true)
        let given = URL(fileURLWithPath: "Zoo/m", relativeTo: base)
        #expect(ZooRegistryTests.errorMessage { try ProtectedOutput.check(given, force: false) } == "Zoo/m exists; pass --force to replace it")
        #expect(ZooRegistryTests.errorMessage { try ProtectedOutput.check(given, force: true) } == "")
        #expect(ZooRegistryTests.errorMessage { try ProtectedOutput.check(URL(fileURLWithPath: "Zoo/new", relativeTo: base), force: false) } == "")
        // The source as the registry resolved it (an absolute path), the output as typed.
        #expect(ZooRegistryTests.errorMessage { try ProtectedOutput.check(given, force: true, source: entry.directory, sourceName: "m") }
                == "Zoo/m is where m is read from; a model never replaces its own source, even with --force: give another --out")
    }
}
