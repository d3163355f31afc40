import Foundation
import Testing

/// `zoo run` on an image recipe, then `zoo classify` and `zoo eval` on its entry, as a user would.
@Suite struct ImageClassificationCLITests {
    static let images = ZooCLITests.fixtures.appendingPathComponent("image-folder")

    /// Trains a tiny ViT on the fixture folder into `dir/Zoo/tiny-vit`.
    static func train(in dir: URL) throws -> String {
        let yaml = """
            name: tiny-vit
            task: image-classification
            data: {train: \(images.path)/train, validation: \(images.path)/test, test: \(images.path)/test}
            model: {d_model: 16, heads: 2, layers: 1, ffn: 32, patch_size: 4, dropout: 0.0}
            training: {steps: 40, batch_size: 12, learning_rate: 3e-3, warmup: 5, seed: 2}
            evaluation: {every: 0, batches: 0}
            """
        let recipe = dir.appendingPathComponent("tiny-vit.yaml")
        try Data(yaml.utf8).write(to: recipe)
        let out = dir.appendingPathComponent("Zoo/tiny-vit").path
        let r = try ZooCLITests().run(["run", recipe.path, "--out", out, "--work", dir.appendingPathComponent("work").path])
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    /// The shipped ViT on Fashion-MNIST's 10,000 test images (Debian's dataset-fashion-mnist, which
    /// `make test` installs) reproduces its card's test accuracy, as `make check-zoo` asks of every
    /// shipped model.
    @Test func shippedViTReproducesItsCard() throws {
        let r = try ZooCLITests().run(["eval", "--model", "vit-fashion-mnist", "--data", "fashion-mnist-test", "--check", "test"])
        #expect(r.status == 0, "\(r.stderr)")
        let card = String(format: "%.4f", try #require(try ZooCLITests.shippedMetrics("vit-fashion-mnist")["test_accuracy"]))
        #expect(r.stdout.hasSuffix("reproduces its card: accuracy \(card) = test_accuracy \(card)\n"), "\(r.stdout)")
    }

    @Test func classifyEvalAndListOnATrainedEntry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-vit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.train(in: dir)
        let cli = ZooCLITests()

        let files = ["bright/00.pgm", "dark/01.pgm", "split/02.pgm"].map { Self.images.appendingPathComponent("test/" + $0).path }
        let classify = try cli.run(["classify", "--model", model, "--top", "2"] + files)
        #expect(classify.status == 0, "\(classify.stderr)")
        let lines = classify.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(lines.count == 6)
        for (i, fields) in lines.enumerated() {
            #expect(fields.count == 3 && String(fields[0]) == files[i / 2])
            #expect(fields[2].count == 6 && Double(fields[2]) != nil, "probability \(fields[2]) has 4 decimals")
        }
        #expect(lines.map { String($0[1]) }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) == ["bright", "dark", "split"])

        let eval = try cli.run(["eval", "--model", model, "--data", Self.images.appendingPathComponent("test").path])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.hasPrefix("accuracy 1.0000 (9 of 9 images)"), "\(eval.stdout)")
        #expect(eval.stdout.contains("true \\ predicted") && eval.stdout.contains("bright") && eval.stdout.contains("split"))

        let list = try cli.run(["list", "--json", "--zoo", dir.appendingPathComponent("Zoo").path])
        #expect(list.stdout.contains("\"task\":\"image-classification\"") && list.stdout.contains("test_accuracy"))
    }

    @Test func badImagesGetOneLineEachAndNonZeroExit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-vit-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.train(in: dir)
        let truncated = dir.appendingPathComponent("truncated.pgm"), notImage = dir.appendingPathComponent("notes.ppm")
        try Data("P5\n8 8\n255\nabc".utf8).write(to: truncated)
        try Data("hello".utf8).write(to: notImage)
        let good = Self.images.appendingPathComponent("test/dark/01.pgm").path
        let r = try ZooCLITests().run(["classify", "--model", model, truncated.path, good, notImage.path, "/nonexistent.ppm"])
        #expect(r.status != 0)
        #expect(r.stdout.hasPrefix(good + "\t"), "the readable image is still classified: \(r.stdout)")
        let errors = r.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == 3, "\(r.stderr)")
        for (line, file) in zip(errors, [truncated.path, notImage.path, "/nonexistent.ppm"]) {
            #expect(line.hasPrefix("Error: \(file): "), "\(line)")
        }
        #expect(r.status == 1)
        #expect(errors[0].contains("truncated") && !r.stderr.contains("Fatal error"))
    }

    /// The first two examples of `zoo classify --help` run as written with the shipped
    /// vit-fashion-mnist: the export (from the fixture's look-alike of the package's files, into
    /// a temporary folder for /tmp/fm) writes the images it says, and classify prints the
    /// --top labels of each image from the model's label list, most likely first.
    @Test func classifyHelpExamplesRunAndAnUnknownModelIsAOneLineError() throws {
        let cli = ZooCLITests()
        let calls = try cli.help(["classify"]).examples.flatMap(ZooCLITests.invocations)
        try #require(calls.count >= 2 && calls[0].starts(with: ["zoo", "data", "fashion-mnist"]) && calls[1].starts(with: ["zoo", "classify"]),
                     "\(calls)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-classify-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        func local(_ word: String) -> String { word.replacingOccurrences(of: "/tmp/fm", with: dir.path + "/fm") }
        func value(_ call: [String], _ option: String) -> String? {
            call.firstIndex(of: option).flatMap { $0 + 1 < call.count ? call[$0 + 1] : nil }
        }

        let limit = try #require(value(calls[0], "--limit").flatMap { Int($0) }, "\(calls[0])")
        let export = try cli.run(calls[0].dropFirst().map(local) + ["--from", ZooCLITests.fixtures.appendingPathComponent("idx").path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("wrote \(limit) images of 4×3 to \(dir.path)/fm"), "\(export.stdout)")

        // The shell's glob, done here: IMAGE arguments with a * become the files that match.
        var arguments: [String] = [], images: [String] = []
        for word in calls[1].dropFirst().map(local) {
            guard word.contains("*") else { arguments.append(word); continue }
            let folder = (word as NSString).deletingLastPathComponent
            let pattern = (word as NSString).lastPathComponent.split(separator: "*", maxSplits: 1, omittingEmptySubsequences: false)
            let matches = try FileManager.default.contentsOfDirectory(atPath: folder)
                .filter { $0.hasPrefix(pattern[0]) && $0.hasSuffix(pattern[1]) }.sorted().map { folder + "/" + $0 }
            images += matches
            arguments += matches
        }
        try #require(!images.isEmpty, "nothing matches the example's images in \(dir.path)/fm")
        let top = try #require(value(calls[1], "--top").flatMap { Int($0) }, "\(calls[1])")
        let model = try #require(value(calls[1], "--model"), "\(calls[1])")

        struct Config: Decodable { struct Vision: Decodable { var labels: [String] }; var vision: Vision }
        let config = ZooCLITests.root.appendingPathComponent("Zoo/\(model)/config.json")
        let labels = try JSONDecoder().decode(Config.self, from: Data(contentsOf: config)).vision.labels
        let classify = try cli.run(arguments, environment: ["ZOO_DIR": nil])
        #expect(classify.status == 0, "\(classify.stderr)")
        let lines = classify.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        try #require(lines.count == images.count * top && lines.allSatisfy { $0.count == 3 }, "\(classify.stdout)")
        for (i, image) in images.enumerated() {
            let rows = lines[(i * top) ..< ((i + 1) * top)]
            #expect(rows.allSatisfy { $0[0] == image })
            #expect(rows.allSatisfy { labels.contains($0[1]) } && Set(rows.map { $0[1] }).count == top, "\(rows)")
            let p = rows.compactMap { Double($0[2]) }
            #expect(p.count == top && p.allSatisfy { $0 >= 0 && $0 <= 1 } && p == p.sorted(by: >) && p.reduce(0, +) <= 1.0005, "\(p)")
        }

        let missing = try cli.run(["classify", "--model", "no-such-model", "x.ppm"])
        #expect(missing.status != 0 && missing.stderr.contains("no-such-model"))
    }
}

/// `zoo import vit` on the Hugging Face fixture, then classification with the imported entry.
@Suite struct ImportViTCLITests {
    @Test func importedViTClassifiesAndRefusesToOverwrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-vit-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = ZooCLITests.fixtures.appendingPathComponent("vit-tiny")
        let out = dir.appendingPathComponent("Zoo/vit-tiny").path
        let cli = ZooCLITests()
        let imported = try cli.run(["import", "vit", source.path, "--out", out])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("16×16×3, patch 4") && imported.stdout.contains("10 labels"))
        let config = try String(contentsOfFile: out + "/config.json", encoding: .utf8)
        #expect(config.contains("\"class9\"") && config.contains("\"image-classification\""))
        let classify = try cli.run(["classify", "--model", out, "--top", "3", source.appendingPathComponent("image0.ppm").path])
        #expect(classify.status == 0, "\(classify.stderr)")
        #expect(classify.stdout.split(separator: "\n").count == 3 && classify.stdout.contains("\tclass"))
        let again = try cli.run(["import", "vit", source.path, "--out", out])
        #expect(again.status != 0 && again.stderr.contains("--force"))
    }
}
