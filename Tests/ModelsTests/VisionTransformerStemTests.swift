import Foundation
import Layers
import Models
import Tensors
import Testing

/// A ViT with a convolutional stem (`VisionTransformerConfig.stem`): shapes, gradients,
/// parameter names, and a state dict (running statistics included) that survives a round trip.
@Suite struct VisionTransformerStemTests {
    /// 1×12×12 images → stem [4, 8] channels, strides [1, 2] → 8×6×6 → 3×3 patches → 4 patches.
    static let config = VisionTransformerConfig(
        imageWidth: 12, imageHeight: 12, channels: 1, patchSize: 3, dModel: 16, heads: 2, ffnDim: 32, layers: 1,
        labels: ["a", "b", "c"], layerNormEps: 1e-5, stem: ConvStemConfig(channels: [4, 8], strides: [1, 2]))

    @Test func stemSetsPatchGridAndNames() {
        let c = Self.config
        #expect(c.patchInput == (8, 6, 6))
        #expect(c.patchCount == 4 && c.encoder.maxLength == 5)
        let model = VisionTransformer(c, seed: 1)
        let shapes = Dictionary(uniqueKeysWithValues: model.namedTensors.map { ($0.name, $0.tensor.shape) })
        #expect(shapes["stem.0.0.weight"] == [4, 1, 3, 3])
        #expect(shapes["stem.1.0.weight"] == [8, 4, 3, 3])
        #expect(shapes["stem.1.1.running_var"] == [8])
        #expect(shapes["patch_embedding.projection.weight"] == [16, 8 * 3 * 3])
        #expect(shapes["position_embeddings"] == [5, 16])
        #expect(!model.namedParameters.contains { $0.name.hasSuffix("running_mean") })
    }

    @Test func stemViTTrainsAndItsStateDictRoundTrips() throws {
        let model = VisionTransformer(Self.config, seed: 1)
        var g = RandomGenerator(seed: 5)
        let images = Tensor.randn([2, 1, 12, 12], generator: &g)
        let logits = model(images)
        #expect(logits.shape == [2, 3])
        logits.crossEntropy(targets: [0, 2]).backward()
        for (name, p) in model.namedParameters {
            #expect(p.grad?.shape == p.shape, "\(name) has no gradient")
        }
        #expect(model.stem!.blocks[0].conv.weight.grad!.scalars.contains { $0 != 0 })
        #expect(model.stem!.blocks[0].norm.runningMean.scalars.contains { $0 != 0 }, "training updates running stats")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vit-stem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.safetensors").path
        try SafetensorsFile.write(model.namedTensors.map { ($0.name, $0.tensor) }, to: path)
        let json = try JSONEncoder().encode(model.config)
        #expect(String(decoding: json, as: UTF8.self).contains("\"stem\""))

        let restored = VisionTransformer(try JSONDecoder().decode(VisionTransformerConfig.self, from: json), seed: 2)
        try restored.load(try SafetensorsFile(path: path).tensors())
        model.setTraining(false)
        restored.setTraining(false)
        let expected = withoutGradients { model(images) }.scalars
        let actual = withoutGradients { restored(images) }.scalars
        #expect(actual == expected)
        // Evaluation reads the running statistics, so they must have been restored too.
        #expect(restored.stem!.blocks[1].norm.runningVar.scalars == model.stem!.blocks[1].norm.runningVar.scalars)
    }

    @Test func configWithoutStemDecodesAsPlainViT() throws {
        let plain = VisionTransformerConfig(imageWidth: 12, imageHeight: 12, channels: 1, patchSize: 3, dModel: 16, heads: 2,
                                            ffnDim: 32, layers: 1, labels: ["a", "b", "c"])
        let json = try JSONEncoder().encode(plain)
        #expect(!String(decoding: json, as: UTF8.self).contains("stem"))
        let decoded = try JSONDecoder().decode(VisionTransformerConfig.self, from: json)
        #expect(decoded.stem == nil && decoded == plain)
        #expect(decoded.patchCount == 16 && VisionTransformer(decoded).stem == nil)
    }
}
