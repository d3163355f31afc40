import Foundation
import Layers
import Tensors
import Tokenization

/// Text generation from prompts with a language model: batched prompts (left-padded, with
/// per-row positions and a key padding mask), the KV cache, sampling, stop strings and
/// streaming of the decoded text as it grows.
public final class TextGenerator {
    public let model: GPT
    public let tokenizer: any TextTokenizer

    public init(model: GPT, tokenizer: any TextTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// What ends a continuation (tokens, stop strings, end-of-text) and how tokens are picked.
    public struct Options: Sendable {
        public var maxTokens = 100
        public var sampling = SamplingOptions()
        public var seed: UInt64 = 0
        /// Generation of a prompt stops when its text contains one of these (the stop string is cut).
        public var stop: [String] = []
        /// Stop at the tokenizer's end-of-text token.
        public var stopAtEndOfText = true
        public init(maxTokens: Int = 100, sampling: SamplingOptions = SamplingOptions(), seed: UInt64 = 0, stop: [String] = []) {
            self.maxTokens = maxTokens
            self.sampling = sampling
            self.seed = seed
            self.stop = stop
        }
    }

    /// Continues each prompt; `onText(i, newText)` receives each prompt's text as it grows.
    /// Returns the generated text (without the prompt) and ids of each prompt.
    @discardableResult
    public func generate(_ prompts: [String], options: Options,
                         onText: (Int, String) -> Void = { _, _ in }) -> [(text: String, ids: [Int32])] {
        generate(ids: prompts.map(promptIds), options: options, onText: onText)
    }

    /// The ids a prompt is generated from: its tokens, or beginning-of-text for an empty prompt.
    public func promptIds(_ prompt: String) -> [Int32] {
        let ids = tokenizer.encode(prompt)
        if ids.isEmpty, let bos = tokenizer.beginningOfTextId ?? tokenizer.endOfTextId { return [bos] }
        return ids
    }

    /// What the context leaves a batch of prompts of `promptLengths` tokens: the prompt tokens
    /// kept (the end of a prompt longer than `context` − 1, so one token can follow) and the tokens
    /// generated at most, `maxTokens` or fewer when prompt and continuation would outgrow the
    /// context. There is no sliding window: generation stops at the context.
    public static func budget(promptLengths: [Int], maxTokens: Int, context: Int) -> (promptTokens: Int, steps: Int) {
        let promptTokens = min(promptLengths.max() ?? 0, context - 1)
        return (promptTokens, max(0, min(maxTokens, context - promptTokens)))
    }

    /// As `generate(_:options:onText:)` from token ids.
    @discardableResult
    public func generate(ids prompts: [[Int32]], options: Options,
                         onText: (Int, String) -> Void = { _, _ in }) -> [(text: String, ids: [Int32])] {
        precondition(prompts.allSatisfy { !$0.isEmpty }, "generation needs at least one prompt token")
        let b = prompts.count
        let (promptLength, steps) = Self.budget(promptLengths: prompts.map(\.count), maxTokens: options.maxTokens, context: model.config.maxLength)
        // Left-pad to a common length; a prompt longer than the context keeps its end.
        let pads = prompts.map { promptLength - min($0.count, promptLength) }
        var tokens: [Int32] = []
        var positions: [Int32] = []
        for (i, p) in prompts.enumerated() {
            let kept = p.suffix(promptLength - pads[i])
            tokens += [Int32](repeating: 0, count: pads[i]) + kept
            positions += [Int32](repeating: 0, count: pads[i]) + (0..<Int32(kept.count))
        }
        var generated = [[Int32]](repeating: [], count: b)
        var texts = [String](repeating: "", count: b)
        var done = [Bool](repeating: steps <= 0, count: b)
        var rng = RandomGenerator(seed: options.seed)
        let v = model.config.vocabSize
        // Decode prompt and continuation together (a SentencePiece piece's leading ▁ is a space only
        // after other text) and keep what follows the prompt's own decoding.
        let promptTexts = prompts.map { tokenizer.decode($0) }
        return model.evaluating { withoutGradients {
            let caches = model.makeCaches(capacity: promptLength + steps)
            var padding: [Bool]? = pads.contains { $0 > 0 } ? [] : nil
            var input = tokens, inputPositions = positions, length = promptLength, offset = 0
            for _ in 0..<steps where done.contains(false) {
                if padding != nil {
                    // Key padding for every cached position after this step's append.
                    var flags: [Bool] = []
                    for i in 0..<b { flags += (0..<(offset + length)).map { $0 < pads[i] } }
                    padding = flags
                }
                let logits = model(input, shape: [b, length], offset: offset, padding: padding, caches: caches,
                                   positionIds: inputPositions)
                offset += length
                var next = [Int32](repeating: 0, count: b)
                for i in 0..<b {
                    let row = logits.data + (i * length + length - 1) * v
                    next[i] = Sampler.next(row, count: v, options: options.sampling, generator: &rng)
                    guard !done[i] else { continue }
                    if options.stopAtEndOfText, let eot = tokenizer.endOfTextId, next[i] == eot {
                        done[i] = true
                        continue
                    }
                    generated[i].append(next[i])
                    let whole = tokenizer.decode(prompts[i] + generated[i])
                    var text = whole.hasPrefix(promptTexts[i]) ? String(whole.dropFirst(promptTexts[i].count)) : tokenizer.decode(generated[i])
                    if let cut = options.stop.compactMap({ text.range(of: $0)?.lowerBound }).min() {
                        text = String(text[..<cut])
                        done[i] = true
                    }
                    // Stream only text that can no longer change (a partial UTF-8 sequence decodes as U+FFFD).
                    if text.count > texts[i].count, text.hasPrefix(texts[i]), !text.hasSuffix("\u{FFFD}") || done[i] {
                        onText(i, String(text.dropFirst(texts[i].count)))
                        texts[i] = text
                    } else if done[i], text != texts[i] {
                        texts[i] = text
                    }
                }
                input = next
                inputPositions = (0..<b).map { Int32(offset - pads[$0]) }
                length = 1
            }
            return (0..<b).map { (texts[$0], generated[$0]) }
        } }
    }
}
