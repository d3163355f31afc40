import Foundation
import Layers
import Models
import Tensors

/// The smallest end-to-end check of the encoder–decoder: learn to write a digit sequence
/// backwards. It needs attention to find the mirrored position, so a model that learns it has
/// working embeddings, masks, cross-attention, loss, backward and optimizer.
public struct ReverseDigits {
    public static let pad: Int32 = 0, bos: Int32 = 1, eos: Int32 = 2
    /// Digit d is token d + 3.
    public static let vocabSize = 13

    public var length: Int
    public var batchSize: Int
    public var config: TransformerConfig
    public var learningRate: Float
    public var seed: UInt64

    public init(length: Int = 8, batchSize: Int = 64, seed: UInt64 = 7) {
        self.length = length
        self.batchSize = batchSize
        self.seed = seed
        learningRate = 1e-3
        config = TransformerConfig(dModel: 64, heads: 4, ffnDim: 128, encoderLayers: 2, decoderLayers: 2,
                                   vocabSize: Self.vocabSize, maxLength: length + 2, dropout: 0,
                                   activation: .relu, normFirst: true, finalNorm: true)
    }

    /// A batch: source digits [B, L], decoder input `<s> reversed` [B, L+1], target `reversed </s>`.
    public func batch(_ g: inout RandomGenerator) -> (source: [Int32], input: [Int32], target: [Int32]) {
        var source: [Int32] = [], input: [Int32] = [], target: [Int32] = []
        for _ in 0..<batchSize {
            let digits = (0..<length).map { _ in Int32(g.next() % 10) + 3 }
            let reversed = Array(digits.reversed())
            source += digits
            input += [Self.bos] + reversed
            target += reversed + [Self.eos]
        }
        return (source, input, target)
    }

    /// Trains for `steps` Adam steps (calling `progress(step, loss)`) and returns the model.
    public func train(steps: Int, progress: (Int, Float) -> Void = { _, _ in }) -> EncoderDecoder {
        let model = EncoderDecoder(config, seed: seed)
        let adam = Adam(parameters: model.parameters, learningRate: learningRate, beta2: 0.98, eps: 1e-9)
        let schedule = CosineSchedule(peak: learningRate, warmup: steps / 10, total: steps, minimum: learningRate / 10)
        var g = RandomGenerator(seed: seed &+ 100)
        for step in 0..<steps {
            let (src, inp, tgt) = batch(&g)
            let logits = model(source: src, sourceShape: [batchSize, length], target: inp, targetShape: [batchSize, length + 1])
            let loss = logits.reshaped([-1, Self.vocabSize]).crossEntropy(targets: tgt)
            model.zeroGrad()
            loss.backward()
            adam.learningRate = schedule.learningRate(step: step)
            adam.step()
            progress(step + 1, loss.item)
        }
        return model
    }

    /// Greedy decoding of `source` [B, L] with the KV cache; returns [B, L] predicted tokens.
    public func greedy(_ model: EncoderDecoder, source: [Int32], count: Int) -> [[Int32]] {
        model.evaluating { withoutGradients {
            let memory = model.encode(source, shape: [count, length])
            let caches = model.decoder.makeCaches(capacity: length + 1)
            var last = [Int32](repeating: Self.bos, count: count)
            var out = [[Int32]](repeating: [], count: count)
            for t in 0..<length {
                let logits = model.decode(last, shape: [count, 1], memory: memory, caches: caches, offset: t)
                last = logits.reshaped([count, Self.vocabSize]).argmax().map { Int32($0) }
                for i in 0..<count { out[i].append(last[i]) }
            }
            return out
        } }
    }

    /// Token accuracy of greedy decoding on `batches` fresh batches.
    public func accuracy(_ model: EncoderDecoder, batches: Int = 4, seed: UInt64 = 12345) -> Double {
        var g = RandomGenerator(seed: seed)
        var right = 0, total = 0
        for _ in 0..<batches {
            let (src, _, tgt) = batch(&g)
            let predicted = greedy(model, source: src, count: batchSize)
            for i in 0..<batchSize {
                for t in 0..<length {
                    right += predicted[i][t] == tgt[i * (length + 1) + t] ? 1 : 0
                    total += 1
                }
            }
        }
        return Double(right) / Double(total)
    }
}
