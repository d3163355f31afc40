import Layers
import Models

/// Training throughput of the paper's encoder–decoder (post-norm, shared and tied embeddings,
/// sinusoidal positions, dropout 0.1, label smoothing 0.1, Adam β2 = 0.98): target tokens per
/// second over timed steps after warm-up, on random tokens. The same shapes as
/// `Benchmarks/peers/torch_peers.py`'s `torch-train-seq2seq-*`.
public enum Seq2SeqTrainingBenchmark {
    public struct Shape: Sendable {
        public var name: String
        public var config: TransformerConfig
        public var batch: Int
        public var length: Int
        public var warmUp: Int
        public var steps: Int
    }

    public static let small = Shape(
        name: "train-seq2seq-small",
        config: TransformerConfig(dModel: 256, heads: 4, ffnDim: 1024, encoderLayers: 3, decoderLayers: 3, vocabSize: 8000,
                                  maxLength: 64, dropout: 0.1),
        batch: 32, length: 32, warmUp: 3, steps: 10)

    public static let base = Shape(
        name: "train-seq2seq-base",
        config: TransformerConfig(dModel: 512, heads: 8, ffnDim: 2048, encoderLayers: 6, decoderLayers: 6, vocabSize: 32000,
                                  maxLength: 64, dropout: 0.1),
        batch: 16, length: 32, warmUp: 2, steps: 5)

    public static func benchmark(_ shape: Shape) -> BenchmarkCase {
        BenchmarkCase(name: shape.name, summary: "encoder–decoder training, d=\(shape.config.dModel), \(shape.config.encoderLayers)+\(shape.config.decoderLayers) layers, vocab \(shape.config.vocabSize), batch \(shape.batch)×\(shape.length): target tokens/s") {
            let seconds = measure(shape)
            return [Figure(name: shape.name, value: Double(shape.batch * shape.length * shape.steps) / seconds, unit: "tokens/s")]
        }
    }

    /// Seconds for `shape.steps` training steps after `shape.warmUp` untimed ones.
    public static func measure(_ shape: Shape, onStep: (Int, Float) -> Void = { _, _ in }) -> Double {
        let c = shape.config
        let model = EncoderDecoder(c, seed: 1)
        let adam = Adam(parameters: model.parameters, learningRate: 1e-4, beta1: 0.9, beta2: 0.98, eps: 1e-9)
        var g = RandomGenerator(seed: 2)
        let n = shape.batch * shape.length
        func ids() -> [Int32] { (0..<n).map { _ in Int32(4 + g.next() % UInt64(c.vocabSize - 4)) } }
        let shape2 = [shape.batch, shape.length]
        var start = 0.0
        for step in 0..<(shape.warmUp + shape.steps) {
            if step == shape.warmUp { start = monotonicSeconds() }
            let (src, tgtIn, tgtOut) = (ids(), ids(), ids())
            let logits = model(source: src, sourceShape: shape2, target: tgtIn, targetShape: shape2)
            let loss = logits.reshaped([n, c.vocabSize]).crossEntropy(targets: tgtOut, labelSmoothing: 0.1)
            model.zeroGrad()
            loss.backward()
            adam.step()
            onStep(step, loss.item)
        }
        return monotonicSeconds() - start
    }
}
