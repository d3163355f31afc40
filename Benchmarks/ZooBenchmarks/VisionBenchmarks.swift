import Layers
import Tasks

/// Vision Transformer figures beside `Benchmarks/peers/torch_peers.py`'s `torch-vit-train` and
/// `torch-vit-classify-latency`: the Fashion-MNIST shape (28×28×1, patch 4 → 49 patches
/// and a class token, d=192, 3 heads, 6 layers, ffn 768, 10 classes), random images and weights.
public enum VisionBenchmarks {
    public static let config = VisionTransformerConfig(imageWidth: 28, imageHeight: 28, channels: 1, patchSize: 4, dModel: 192,
                                                       heads: 3, ffnDim: 768, layers: 6, labels: (0..<10).map { "class-\($0)" },
                                                       dropout: 0, layerNormEps: 1e-6, activation: .gelu)

    /// Training images/s: batch 64, cross entropy, AdamW, clipping at 1, dropout 0 (as the peer),
    /// 3 warm-up steps then 10 timed. `vit-train` is the model as it trains (its last layer
    /// computes only the class token's row); `vit-train-full-last-layer` computes every row of the
    /// last layer, as the peer does, to show the engine's share of the difference.
    public static var train: BenchmarkCase {
        BenchmarkCase(name: "vit-train", summary: "ViT training, 28×28×1, patch 4, d=192, 3 heads, 6 layers, batch 64, AdamW: images/s") {
            [Figure(name: "vit-train", value: imagesPerSecond { $0($1) }, unit: "images/s"),
             Figure(name: "vit-train-full-last-layer", value: imagesPerSecond { model, images in
                 let h = model.features(images)
                 return model.head(h.slice(axis: 1, 0..<1).reshaped([h.shape[0], config.encoder.dModel]))
             }, unit: "images/s")]
        }
    }

    /// Images/s of training steps whose logits come from `logits(model, images)`.
    static func imagesPerSecond(_ logits: (VisionTransformer, Tensor) -> Tensor) -> Double {
        let model = VisionTransformer(config, seed: 1)
        let adam = Adam.adamW(parameters: model.parameters, learningRate: 1e-3, weightDecay: 0.05)
        var g = RandomGenerator(seed: 3)
        let batch = 64, warmUp = 3, steps = 10
        var start = 0.0
        for step in 0..<(warmUp + steps) {
            if step == warmUp { start = monotonicSeconds() }
            let images = Tensor.randn([batch, 1, 28, 28], generator: &g)
            let labels = (0..<batch).map { _ in Int32(g.next() % 10) }
            let loss = logits(model, images).crossEntropy(targets: labels)
            model.zeroGrad()
            loss.backward()
            adam.step(gradientScale: gradientClipping(model.parameters, maxNorm: 1).scale)
        }
        return Double(batch * steps) / (monotonicSeconds() - start)
    }

    /// Latency of one image in evaluation mode: the median of 50 forward passes after 5 warm-up ones.
    public static var classifyLatency: BenchmarkCase {
        BenchmarkCase(name: "vit-classify-latency", summary: "ViT classification of one 28×28×1 image, eval mode, d=192, 6 layers: median ms") {
            let model = VisionTransformer(config, seed: 1)
            model.setTraining(false)
            var g = RandomGenerator(seed: 4)
            let image = Tensor.randn([1, 1, 28, 28], generator: &g)
            let once = { timeSeconds { _ = withoutGradients { model(image).softmax() } } }
            for _ in 0..<5 { _ = once() }
            let ms = median((0..<50).map { _ in once() }) * 1000
            return [Figure(name: "vit-classify-latency", value: ms, unit: "ms")]
        }
    }
}
