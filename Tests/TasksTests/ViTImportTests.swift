import Foundation
import Data
import Layers
import Models
import Tensors
import Tasks
import TestSupport
import Testing

/// A tiny random-weight Hugging Face ViT (Tests/Fixtures/make_vit_fixture.py), imported here,
/// computes what `ViTForImageClassification` computed on the fixture images.
@Suite struct ViTImportTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vit-tiny")

    struct Expected: Decodable {
        let images: [String]
        let mean: [Float]
        let std: [Float]
        let logits: [[Float]]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixture.appendingPathComponent("logits.json")))
    }

    /// The fixture images, preprocessed as the script did: /255, then (x − mean) / std.
    static func images(for model: VisionTransformer, _ expected: Expected) throws -> Tensor {
        let c = model.config
        let preprocessing = ImagePreprocessing(channels: c.channels, width: c.imageWidth, height: c.imageHeight,
                                               mean: expected.mean, std: expected.std)
        return preprocessing.batch(try expected.images.map { try Image(contentsOfFile: fixture.appendingPathComponent($0).path) })
    }

    @Test func configMatchesConfigJSON() throws {
        let (config, qkvBias) = try ViTImport.config(contentsOf: Self.fixture.appendingPathComponent("config.json").path)
        #expect(qkvBias)
        #expect(config.imageWidth == 16 && config.imageHeight == 16 && config.channels == 3 && config.patchSize == 4)
        #expect(config.patchCount == 16)
        #expect(config.encoder.dModel == 32 && config.encoder.heads == 4 && config.encoder.ffnDim == 64)
        #expect(config.encoder.encoderLayers == 2 && config.encoder.normFirst && config.encoder.finalNorm)
        #expect(config.encoder.activation == .gelu && config.encoder.layerNormEps == 1e-12)
        #expect(config.labels == (0..<10).map { "class\($0)" })
    }

    @Test func importedLogitsMatchHuggingFace() throws {
        let model = try ViTImport.model(from: Self.fixture.path)
        let expected = try Self.expected()
        let logits = withoutGradients { model(try! Self.images(for: model, expected)) }
        #expect(logits.shape == [expected.images.count, 10])
        var worst: Float = 0
        for (a, b) in zip(logits.scalars, expected.logits.flatMap { $0 }) { worst = max(worst, abs(a - b)) }
        #expect(worst < 1e-4, "largest logit difference \(worst)")
    }

    @Test func eachImageAloneGivesItsBatchedLogits() throws {
        let model = try ViTImport.model(from: Self.fixture.path)
        let expected = try Self.expected()
        let batch = try Self.images(for: model, expected)
        let all = withoutGradients { model(batch) }.scalars
        for i in 0..<expected.images.count {
            let one = withoutGradients { model(batch.slice(axis: 0, i..<(i + 1))) }.scalars
            for (a, b) in zip(one, all[(10 * i)..<(10 * i + 10)]) { #expect(abs(a - b) < 1e-5) }
        }
    }

    @Test func everyParameterGetsAGradient() throws {
        let model = try ViTImport.model(from: Self.fixture.path)
        let images = try Self.images(for: model, try Self.expected())
        model(images).crossEntropy(targets: [1, 2, 3]).backward()
        for (name, p) in model.namedParameters {
            let g = try #require(p.grad, "no gradient for \(name)")
            #expect(g.shape == p.shape)
            #expect(g.scalars.contains { $0 != 0 }, "zero gradient for \(name)")
        }
    }

    @Test func patchEmbeddingIsTheConvolution() {
        // One 1-channel 4×4 image, patch 2: patch (row 0, col 1) holds pixels (0,2),(0,3),(1,2),(1,3).
        var generator = RandomGenerator(seed: 1)
        let embed = PatchEmbedding(channels: 1, patchSize: 2, dim: 4, generator: &generator)
        let image = Tensor((0..<16).map(Float.init), shape: [1, 1, 4, 4])
        let out = withoutGradients { embed(image) }
        #expect(out.shape == [1, 4, 4])
        let w = embed.projection.weight.scalars, b = embed.projection.bias!.scalars
        let patch: [Float] = [2, 3, 6, 7]
        for d in 0..<4 {
            let want = b[d] + (0..<4).reduce(Float(0)) { $0 + w[d * 4 + $1] * patch[$1] }
            #expect(abs(out.scalars[4 + d] - want) < 1e-4)
        }
    }

    /// A field of the wrong type or value is one line naming the file, the key and what is there.
    @Test func malformedConfigFieldsNameTheFileAndKey() throws {
        let dir = try TrainingFixtures.temporaryDirectory("vit-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("config.json").path
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.appendingPathComponent("config.json"))) as! [String: Any]
        let cases: [([String: Any?], String)] = [
            (["hidden_size": "32"], "\"hidden_size\" must be a positive integer, found \"32\""),
            (["num_hidden_layers": nil], "missing \"num_hidden_layers\""),
            (["qkv_bias": "true"], "\"qkv_bias\" must be true or false, found \"true\""),
            (["id2label": ["0": "cat", "1": 7] as [String: Any]], "\"id2label.1\" must be a string, found 7"),
            (["model_type": "deit"], "model_type is \"deit\", not \"vit\""),
            // The zoo's own limits, in the file's names, before anything is allocated.
            (["image_size": 1_000_000_000], "field 'image_size': expected an integer in [1, 4096], found 1000000000"),
            (["num_hidden_layers": 5000], "field 'num_hidden_layers': expected an integer in [0, 1024], found 5000"),
            (["id2label": nil, "num_labels": 1_000_000_000_000], "field 'num_labels': expected an integer in [1, 1048576], found 1000000000000"),
        ]
        for (changes, reason) in cases {
            var c = config
            for (k, v) in changes { c[k] = v }
            try JSONSerialization.data(withJSONObject: c).write(to: URL(fileURLWithPath: path))
            let message = TrainingFixtures.errorMessage { try ViTImport.config(contentsOf: path) }
            #expect(message == "\(path): \(reason)")
        }
    }

    /// preprocessor_config.json: size as an integer or {height, width}; mean and std per channel or one for all.
    @Test func preprocessorConfigGivesThePreprocessing() throws {
        let dir = try TrainingFixtures.temporaryDirectory("vit-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("preprocessor_config.json").path
        let (config, _) = try ViTImport.config(contentsOf: Self.fixture.appendingPathComponent("config.json").path)
        func preprocessing(_ json: String) throws -> ImagePreprocessing {
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return try ViTImport.preprocessing(contentsOf: path, for: config)
        }
        #expect(try ViTImport.preprocessing(contentsOf: dir.appendingPathComponent("none.json").path, for: config)
                == ImagePreprocessing(channels: 3, width: 16, height: 16, mean: [0.5], std: [0.5]))
        #expect(try preprocessing(#"{"size": {"height": 16, "width": 16}, "image_mean": [0.25, 0.5, 0.75], "image_std": [0.5]}"#)
                == ImagePreprocessing(channels: 3, width: 16, height: 16, mean: [0.25, 0.5, 0.75], std: [0.5]))
        #expect(try preprocessing(#"{"size": 16, "do_normalize": false}"#)
                == ImagePreprocessing(channels: 3, width: 16, height: 16, mean: [0], std: [1]))
        let cases = [
            (#"{"image_mean": [0.5, "x", 0.5]}"#, "\"image_mean[1]\" must be a number, found \"x\""),
            (#"{"image_std": [0.5, 0.5]}"#, "\"image_std\" must be a list of 1 or 3 numbers"),
            (#"{"size": "big"}"#, "\"size\" must be an integer or {\"height\": h, \"width\": w}, found \"big\""),
            (#"{"size": {"height": 16}}"#, "missing \"size.width\""),
            (#"{"size": 32}"#, "size 32×32 differs from the model's image_size 16"),
            (#"{"do_normalize": 1}"#, "\"do_normalize\" must be true or false, found 1"),
            ("not json", "not a JSON object"),
        ]
        for (json, reason) in cases {
            #expect(TrainingFixtures.errorMessage { try preprocessing(json) } == "\(path): \(reason)")
        }
    }

    /// A config.json within the limits that describes more than its weights hold is refused
    /// before the model is built.
    @Test func aConfigBiggerThanItsWeightsIsRefused() throws {
        let dir = try TrainingFixtures.temporaryDirectory("vit-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.appendingPathComponent("config.json"))) as! [String: Any]
        config["num_hidden_layers"] = 1000
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("model.safetensors"), to: dir.appendingPathComponent("model.safetensors"))
        let values = try SafetensorsFile(path: dir.appendingPathComponent("model.safetensors").path).valueCount
        // 3·4² × 32 patch projection, 17 × 32 positions, 1000 × (4·32² + 2·32·64) layers, 32 × 10 head.
        let implied = 48 * 32 + 17 * 32 + 1000 * (4 * 32 * 32 + 2 * 32 * 64) + 32 * 10
        #expect(TrainingFixtures.errorMessage { try ViTImport.model(from: dir.path) }
                == "\(dir.path)/config.json: describes at least \(implied) parameters, more than the \(values) values of model.safetensors")
    }

    @Test func missingWeightsNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vit-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("config.json"), to: dir.appendingPathComponent("config.json"))
        #expect(throws: ViTImportError.self) { try ViTImport.model(from: dir.path) }
    }
}
