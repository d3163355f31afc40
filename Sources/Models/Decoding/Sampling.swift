import Layers
import Tensors

/// How the next token is chosen from the model's logits.
public struct SamplingOptions: Sendable {
    /// Divides the logits; 0 means greedy (argmax).
    public var temperature: Float = 1
    /// Keep only the K most likely tokens (nil: all).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches P (nucleus sampling,
    /// Holtzman et al. 2020); nil: all.
    public var topP: Float?

    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    public static let greedy = SamplingOptions(temperature: 0)
}

/// Picks the next token from logits under `SamplingOptions`.
public enum Sampler {
    /// The candidate tokens and their probabilities after temperature, top-k and top-p (in that
    /// order, as Hugging Face's logits warpers), most likely first.
    public static func candidates(_ logits: UnsafePointer<Float>, count v: Int, options: SamplingOptions) -> [(id: Int32, p: Float)] {
        let t = max(options.temperature, 1e-6)
        var order = (0..<v).map { (id: Int32($0), logit: logits[$0] / t) }
        order.sort { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
        if let k = options.topK, k > 0, k < order.count { order.removeLast(order.count - k) }
        let m = order[0].logit
        var probs = order.map { Float(Foundation.exp(Double($0.logit - m))) }
        var total = probs.reduce(0, +)
        if let p = options.topP, p < 1 {
            var cumulative: Float = 0
            var keep = 0
            while keep < probs.count {
                cumulative += probs[keep] / total
                keep += 1
                if cumulative >= p { break }
            }
            probs.removeLast(probs.count - keep)
            order.removeLast(order.count - keep)
            total = probs.reduce(0, +)
        }
        return zip(order, probs).map { ($0.id, $1 / total) }
    }

    /// The next token: argmax when the temperature is 0, else a draw from `candidates`.
    public static func next(_ logits: UnsafePointer<Float>, count v: Int, options: SamplingOptions,
                            generator: inout RandomGenerator) -> Int32 {
        if options.temperature <= 0 {
            var best = 0
            for i in 1..<v where logits[i] > logits[best] { best = i }
            return Int32(best)
        }
        let c = candidates(logits, count: v, options: options)
        var u = generator.nextFloat()
        for (id, p) in c {
            if u < p { return id }
            u -= p
        }
        return c[c.count - 1].id
    }
}

import Foundation
