import Layers
import Tensors
import Tasks
import Training

/// Decoder-only (GPT) figures beside `Benchmarks/peers/torch_peers.py`'s `torch-generate-*` and
/// `torch-train-gpt-char`: generation with the KV cache (batch 1, prompt 32, 128 new tokens,
/// greedy, random weights) and nanoGPT's shakespeare-char training shape.
public enum GPTBenchmarks {
    public static let gpt2Small = GPT.gptConfig(vocabSize: 50257, context: 1024, dModel: 768, heads: 12, layers: 12, dropout: 0)
    public static let small = GPT.gptConfig(vocabSize: 8000, context: 1024, dModel: 384, heads: 6, layers: 6, dropout: 0)

    /// With `quantization`, the model's matrices are quantized first (`zoo quantize`'s int8 or
    /// bf16) and the traffic counts their bytes.
    public static func generation(name: String, config: TransformerConfig, quantization: QuantizedKind? = nil) -> BenchmarkCase {
        let dtype = quantization.map { ", \($0.rawValue) weights (\(QuantizedMatrix.isaName))" } ?? ""
        return BenchmarkCase(name: name, summary: "generation, d=\(config.dModel), \(config.decoderLayers) layers, vocab \(config.vocabSize)\(dtype): prompt 32, 128 new tokens, batch 1") {
            let model = GPT(config, seed: 1)
            model.setTraining(false)
            if let quantization { ModelQuantization.quantize(model, as: quantization) }
            var g = RandomGenerator(seed: 2)
            let prompt = (0..<32).map { _ in Int32(g.next() % UInt64(config.vocabSize)) }
            // The whole generation, and its 127 one-token steps alone (what reads every weight
            // once a token; the prompt is one batched pass).
            let run = { () -> (total: Double, decode: Double) in
                var decode = 0.0
                let total = timeSeconds {
                    withoutGradients {
                        let caches = model.makeCaches(capacity: 160)
                        var logits = model(prompt, shape: [1, 32], caches: caches)
                        var next = Int32(logits.reshaped([32, config.vocabSize]).argmax()[31])
                        decode = timeSeconds {
                            for t in 0..<127 {
                                logits = model([next], shape: [1, 1], offset: 32 + t, caches: caches)
                                next = Int32(logits.reshaped([1, config.vocabSize]).argmax()[0])
                            }
                        }
                    }
                }
                return (total, decode)
            }
            // Every matrix and vector is read whole; of the position table, one row.
            let bytes = Double(model.namedParameters.filter { !$0.name.hasPrefix("positions.") }
                .reduce(0) { $0 + ($1.tensor.quantized?.byteCount ?? $1.tensor.count * 4) } + config.dModel * 4)
            // The machine's read bandwidth, measured right after each run: on a shared machine it
            // drifts from minute to minute, so the share of the bound compares like with like.
            let memory = MemoryBandwidth()
            _ = run()
            var runs: [(total: Double, decode: Double)] = [], shares: [Double] = []
            for _ in 0..<3 {
                let r = run()
                runs.append(r)
                shares.append(bytes * 127 / r.decode / 1e9 / memory.measure(passes: 3))
            }
            let seconds = median(runs.map(\.total)), decode = median(runs.map(\.decode))
            return [
                Figure(name: name, value: 128 / seconds, unit: "tokens/s"),
                Figure(name: name + "-decode", value: 127 / decode, unit: "tokens/s"),
                // Each new token reads every weight once: the memory traffic the decode rate implies,
                // and its share of what memory can deliver.
                Figure(name: name + "-weight-traffic", value: bytes * 127 / decode / 1e9, unit: "GB/s"),
                Figure(name: name + "-of-bandwidth", value: 100 * median(shares), unit: "%"),
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
