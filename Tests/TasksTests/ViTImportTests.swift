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

    @Test func missingWeightsNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vit-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Self.fixture.appendingPathComponent("config.json"), to: dir.appendingPathComponent("config.json"))
        #expect(throws: ViTImportError.self) { try ViTImport.model(from: dir.path) }
    }
}
