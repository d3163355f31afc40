import Layers
import Models
import Tensors
import Testing

/// The classifier's last encoder layer computes only the class token's row (`Encoder`'s
/// `outputs`); it must give the logits and gradients of the full computation.
@Suite struct ClassTokenOnlyLayerTests {
    static let config = VisionTransformerConfig(imageWidth: 8, imageHeight: 8, channels: 1, patchSize: 2, dModel: 16, heads: 2,
                                                ffnDim: 32, layers: 2, labels: ["a", "b", "c"], layerNormEps: 1e-6)

    /// Logits through `features` (every position of the last layer) and the loss's parameter gradients.
    func fullPath(_ model: VisionTransformer, _ images: Tensor, _ labels: [Int32]) -> (logits: [Float], grads: [String: [Float]]) {
        model.zeroGrad()
        let h = model.features(images)
        let logits = model.head(h.slice(axis: 1, 0..<1).reshaped([h.shape[0], 16]))
        logits.crossEntropy(targets: labels).backward()
        return (logits.scalars, Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor.grad!.scalars) }))
    }

    @Test func classTokenOnlyLastLayerMatchesFullLayer() {
        let model = VisionTransformer(Self.config, seed: 3)
        var g = RandomGenerator(seed: 9)
        let images = Tensor.randn([3, 1, 8, 8], generator: &g)
        let labels: [Int32] = [0, 2, 1]
        let full = fullPath(model, images, labels)
        model.zeroGrad()
        let logits = model(images)
        logits.crossEntropy(targets: labels).backward()
        #expect(logits.shape == [3, 3])
        #expect(zip(logits.scalars, full.logits).allSatisfy { abs($0 - $1) <= 1e-5 })
        for (name, p) in model.namedParameters {
            let expected = full.grads[name]!, actual = p.grad!.scalars
            let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "\(name): gradient differs by \(worst)")
        }
        // The last layer's feed-forward still receives a gradient (from the class token's row).
        #expect(model.encoder.layers[1].feedForward.parameters.allSatisfy { $0.grad!.scalars.contains { $0 != 0 } })
    }

    @Test func postNormLayerComputesOnlyTheQueriedRows() {
        var c = TransformerConfig(dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 1, decoderLayers: 0, vocabSize: 0, maxLength: 0)
        c.normFirst = false
        var g = RandomGenerator(seed: 4)
        let layer = EncoderLayer(c, dropout: Dropout(0, random: RandomSource(seed: 1)), generator: &g)
        let x = Tensor.randn([2, 5, 8], generator: &g)
        let mask = AttentionMask(keyPadding: [false, false, false, true, true, false, false, false, false, false])
        let full = withoutGradients { layer(x, mask: mask) }
        let rows = withoutGradients { layer(x, mask: mask, queries: 1..<3) }
        #expect(rows.shape == [2, 2, 8])
        let expected = full.slice(axis: 1, 1..<3).scalars
        #expect(zip(rows.scalars, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
    }
}
