import Foundation
import Testing

/// `zoo quantize`: a quantized copy of a zoo model that every command loads, whose figures stay
/// near the fp32 model's and that its card reports; what cannot be quantized or trained is refused
/// in one line.
@Suite struct QuantizeCLITests {
    let cli = ZooCLITests()

    func json(_ text: String) throws -> [String: Any] {
        let line = try #require(text.split(separator: "\n").last)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aQuantizedLanguageModelKeepsItsPerplexityAndReproducesItsCard() throws {
        let dir = try ProtectedOutputCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zoo = { (arguments: [String]) in try ProtectedOutputCLITests().zoo(arguments, in: dir) }
        let trained = try zoo(["run", "tiny.yaml"])
        #expect(trained.status == 0, "\(trained.stderr)")

        for dtype in ["int8", "bf16"] {
            let made = try zoo(["quantize", "--model", "tiny", "--dtype", dtype, "--out", "Zoo/tiny-\(dtype)", "--data", "valid.txt",
                                "--split", "val", "--json"])
            #expect(made.status == 0, "\(made.stderr)")
            let object = try json(made.stdout)
            #expect(object["directory"] as? String == "Zoo/tiny-\(dtype)")
            let metrics = try #require(object["metrics"] as? [String: Double])
            let ppl = try #require(metrics["ppl"]), fp32 = try #require(metrics["fp32_ppl"])
            #expect(abs(ppl - fp32) / fp32 <= (dtype == "int8" ? 0.02 : 0.005), "\(dtype): ppl \(ppl), fp32 \(fp32)")
            let bytes = try #require(metrics["matrix_bytes"]), full = try #require(metrics["fp32_matrix_bytes"])
            // A scale per row of 16 weights is a quarter more for int8 at this tiny width.
            #expect(bytes < full / (dtype == "int8" ? 3 : 1.9), "\(bytes) of \(full)")

            // The entry's card and config say what it is; `zoo eval --check` finds its figures.
            let card = try String(contentsOf: dir.appendingPathComponent("Zoo/tiny-\(dtype)/card.md"), encoding: .utf8)
            #expect(card.contains("| quantized from | tiny |") && card.contains("| val ppl | "), "\(card)")
            // Its "remake it" line repeats the held-out data, so running it gives the same figures.
            let remake = try #require(card.split(separator: "\n").first { $0.hasSuffix("# remake it") }, "\(card)")
            #expect(remake.hasPrefix("zoo quantize --model tiny --dtype \(dtype) --out Zoo/tiny-\(dtype) --force --data valid.txt --split val   #"),
                    "\(remake)")
            let again = try zoo(remake.components(separatedBy: "   #")[0].split(separator: " ").dropFirst().map(String.init))
            #expect(again.status == 0, "\(again.stderr)")
            let remade = try String(contentsOf: dir.appendingPathComponent("Zoo/tiny-\(dtype)/card.md"), encoding: .utf8)
            let row = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("| val ppl | ") } }
            #expect(row(remade) != nil && row(remade) == row(card), "\(remade)")
            // The base card's curve comes along; its training log stays with the base entry.
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("Zoo/tiny-\(dtype)").path)
            #expect(files.contains("loss.svg") && !files.contains("train.jsonl"), "\(files)")
            let shown = try zoo(["show", "tiny-\(dtype)"])
            #expect(shown.status == 0 && shown.stdout.contains("Weights\n-------\n  dtype           \(dtype)\n  quantized from  tiny"), "\(shown.stdout)")
            let checked = try zoo(["eval", "--model", "tiny-\(dtype)", "--data", "valid.txt", "--check", "val"])
            #expect(checked.status == 0 && checked.stdout.contains("reproduces its card: "), "\(checked.stdout)\(checked.stderr)")
            let generated = try zoo(["generate", "--model", "tiny-\(dtype)", "--prompt", "the cat", "--max-tokens", "5", "--temperature", "0"])
            #expect(generated.status == 0 && generated.stdout.hasPrefix("the cat"), "\(generated.stdout)\(generated.stderr)")
        }

        // Not again, not without --force, and no training on an approximation.
        let twice = try zoo(["quantize", "--model", "tiny-int8", "--dtype", "bf16", "--out", "Zoo/again"])
        #expect(twice.status == 1 && twice.stderr.contains("tiny-int8 is quantized (int8); quantization needs an fp32 entry: use the one it was quantized from (tiny)"),
                "\(twice.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("Zoo/again").path))
        let exists = try zoo(["quantize", "--model", "tiny", "--dtype", "int8", "--out", "Zoo/tiny-int8"])
        #expect(exists.status == 1 && exists.stderr.contains("--force"), "\(exists.stderr)")
        let finetune = try zoo(["finetune", "--model", "tiny-int8", "--data", "more.txt", "--steps", "2", "--out", "Zoo/tuned"])
        #expect(finetune.status == 1 && finetune.stderr.contains("fine-tuning needs an fp32 entry"), "\(finetune.stderr)")
        let dtype = try zoo(["quantize", "--model", "tiny", "--dtype", "int4", "--out", "Zoo/tiny-int4"])
        #expect(dtype.status == 64 && dtype.stderr.contains("--dtype takes int8 or bf16, not 'int4'"), "\(dtype.stderr)")

        // A hand-edited dtype is one line naming the file and the key.
        let configURL = dir.appendingPathComponent("Zoo/tiny-int8/config.json")
        let config = try String(contentsOf: configURL, encoding: .utf8)
        try Data(config.replacingOccurrences(of: "\"int8\"", with: "\"int3\"").utf8).write(to: configURL)
        let broken = try zoo(["generate", "--model", "tiny-int8", "--prompt", "the"])
        #expect(broken.status == 1 && broken.stderr.contains("Zoo/tiny-int8/config.json") && broken.stderr.contains("dtype"), "\(broken.stderr)")
    }

    /// The shipped image classifier in int8: within 0.3 points of its fp32 accuracy on the
    /// 10,000 Fashion-MNIST test images.
    @Test func theShippedClassifierInInt8KeepsItsAccuracy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-quantize-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let made = try cli.run(["quantize", "--model", "vit-fashion-mnist", "--dtype", "int8", "--out", dir.appendingPathComponent("vit-int8").path,
                                "--data", "fashion-mnist-test", "--json"], environment: ["ZOO_DIR": nil])
        #expect(made.status == 0, "\(made.stderr)")
        let metrics = try #require(try json(made.stdout)["metrics"] as? [String: Double])
        let accuracy = try #require(metrics["accuracy"]), fp32 = try #require(metrics["fp32_accuracy"])
        #expect(abs(accuracy - fp32) <= 0.003, "int8 \(accuracy), fp32 \(fp32)")
        let card = try ZooCLITests.shippedMetrics("vit-fashion-mnist")
        #expect(fp32 == card["test_accuracy"], "the shipped entry's card: \(card)")
    }
}
