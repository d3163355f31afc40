import Layers
import Tasks
import Training

/// Decoder-only (GPT) figures beside `Benchmarks/peers/torch_peers.py`'s `torch-generate-*` and
/// `torch-train-gpt-char`: generation with the KV cache (batch 1, prompt 32, 128 new tokens,
/// greedy, random weights) and nanoGPT's shakespeare-char training shape.
public enum GPTBenchmarks {
    public static let gpt2Small = GPT.gptConfig(vocabSize: 50257, context: 1024, dModel: 768, heads: 12, layers: 12, dropout: 0)
    public static let small = GPT.gptConfig(vocabSize: 8000, context: 1024, dModel: 384, heads: 6, layers: 6, dropout: 0)

    public static func generation(name: String, config: TransformerConfig) -> BenchmarkCase {
        BenchmarkCase(name: name, summary: "generation, d=\(config.dModel), \(config.decoderLayers) layers, vocab \(config.vocabSize): prompt 32, 128 new tokens, batch 1") {
            let model = GPT(config, seed: 1)
            model.setTraining(false)
            var g = RandomGenerator(seed: 2)
            let prompt = (0..<32).map { _ in Int32(g.next() % UInt64(config.vocabSize)) }
            let run = { () -> Double in
                timeSeconds {
                    withoutGradients {
                        let caches = model.makeCaches(capacity: 160)
                        var logits = model(prompt, shape: [1, 32], caches: caches)
                        var next = Int32(logits.reshaped([32, config.vocabSize]).argmax()[31])
                        for t in 0..<127 {
                            logits = model([next], shape: [1, 1], offset: 32 + t, caches: caches)
                            next = Int32(logits.reshaped([1, config.vocabSize]).argmax()[0])
                        }
                    }
                }
            }
            _ = run()
            let seconds = median((0..<3).map { _ in run() })
            let bytes = Double(model.parameterCount * 4)
            return [
                Figure(name: name, value: 128 / seconds, unit: "tokens/s"),
                // Each new token reads every weight once: the memory traffic the rate implies.
                Figure(name: name + "-weight-traffic", value: bytes * 128 / seconds / 1e9, unit: "GB/s"),
            ]
        }
    }

    /// Started by `mpirun -np N`, every rank trains on its slice of each batch of 8 and the
    /// gradients are summed across the ranks (`GradientReducer`), as `zoo run` does; the figures
    /// then add the bytes summed per step and the time a step waits for the sums after its
    /// backward pass (what overlap did not hide).
    public static var trainChar: BenchmarkCase {
        BenchmarkCase(name: "train-gpt-char", summary: "GPT training, d=384, 6 heads, 6 layers, context 256, vocab 65, batch 8, AdamW: tokens/s") {
            let c = GPT.gptConfig(vocabSize: 65, context: 256, dModel: 384, heads: 6, layers: 6, dropout: 0.2, activation: .gelu)
            let model = GPT(c, seed: 1)
            let adam = Adam.adamW(parameters: model.parameters, learningRate: 1e-3, beta2: 0.99, weightDecay: 0.1)
            let group = DataParallel.world
            let reducer = group.size > 1 ? GradientReducer(parameters: model.parameters, group: group) : nil
            var g = RandomGenerator(seed: 3)
            let (b, t) = (8, 256)
            let mine = DataParallel.slice(b, part: group.rank, of: group.size)
            var start = 0.0, waiting = 0.0
            let warmUp = 3, steps = 10
            for step in 0..<(warmUp + steps) {
                if step == warmUp { start = monotonicSeconds(); waiting = 0 }
                let ids = (0..<(b * (t + 1))).map { _ in Int32(g.next() % 65) }
                var input: [Int32] = [], target: [Int32] = []
                for i in mine {
                    input += ids[(i * (t + 1))..<(i * (t + 1) + t)]
                    target += ids[(i * (t + 1) + 1)..<((i + 1) * (t + 1))]
                }
                let loss = model(input, shape: [mine.count, t]).reshaped([mine.count * t, 65]).crossEntropy(targets: target)
                model.zeroGrad()
                if let reducer {
                    (loss * (Float(mine.count) / Float(b))).backward(leafDone: { try? reducer.gradientDone($0) })
                    let before = monotonicSeconds()
                    try reducer.finish()
                    waiting += monotonicSeconds() - before
                } else {
                    loss.backward()
                }
                adam.step(gradientScale: gradientClipping(model.parameters, maxNorm: 1).scale)
            }
            let seconds = monotonicSeconds() - start
            var figures = [Figure(name: "train-gpt-char", value: Double(b * t * steps) / seconds, unit: "tokens/s")]
            if group.size > 1 {
                figures.append(Figure(name: "train-gpt-char-ranks", value: Double(group.size), unit: "ranks"))
                figures.append(Figure(name: "train-gpt-char-allreduce", value: Double(model.parameterCount * 4) / 1e6, unit: "MB/step"))
                figures.append(Figure(name: "train-gpt-char-step", value: seconds / Double(steps) * 1000, unit: "ms"))
                figures.append(Figure(name: "train-gpt-char-allreduce-wait", value: waiting / Double(steps) * 1000, unit: "ms/step"))
            }
            return figures
        }
    }
}
