import Foundation
import Layers
import Models
import Recipes

extension TextGenerator {
    /// The causal self-attention of every block over a prompt, after `generate` tokens are appended
    /// greedily (stopping early at end-of-text); prompt and continuation must fit the context.
    public func attentionMaps(prompt: String, generate: Int = 0, model name: String) throws -> AttentionMaps {
        guard !prompt.isEmpty else { throw AttentionError("the prompt is empty") }
        var ids = promptIds(prompt)
        let context = model.config.maxLength
        guard ids.count + generate <= context else {
            let what = generate > 0 ? " and --generate \(generate) makes \(ids.count + generate), more than" : ", longer than"
            throw AttentionError("the prompt has \(ids.count) tokens\(what) the model's context of \(context)")
        }
        var continuation = ""
        if generate > 0 {
            let result = self.generate(ids: [ids], options: Options(maxTokens: generate, sampling: .greedy))[0]
            ids += result.ids
            continuation = result.text
        }
        return AttentionMaps(task: "language-model", model: name,
                             sequences: ["tokens": AttentionTokens.display(ids, tokenizer: tokenizer)],
                             sides: [.selfAttention: AttentionSides(queries: "tokens", keys: "tokens")],
                             maps: AttentionMap.maps(model.attentionWeights(ids)),
                             output: generate > 0 ? continuation : nil)
    }
}

extension LanguageModelFamily {
    public func attention(_ entry: ZooEntry, _ request: AttentionRequest) throws -> AttentionMaps {
        let (model, tokenizer) = try entry.loadLanguageModel()
        return try TextGenerator(model: model, tokenizer: tokenizer).attentionMaps(prompt: request.input, generate: request.generate, model: entry.name)
    }
}
