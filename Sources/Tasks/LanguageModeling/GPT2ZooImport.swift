import Foundation
import Layers
import Models
import ModelZoo
import Tokenization

/// `zoo import gpt2`: a Hugging Face GPT-2 directory written as the zoo entry `zooDirectory`
/// (`config.json`, `model.safetensors` in our names, the tokenizer's `vocab.json` and `merges.txt`,
/// `card.md`) and listed in the index of the zoo that holds it. `ZooRegistry.export` assembles
/// the entry in a temporary directory and renames it into place, so a failure leaves nothing
/// half-written.
///
/// - Parameter overwrite: replace an existing `zooDirectory` (otherwise that is an error).
@discardableResult
public func importGPT2(from directory: String, to zooDirectory: String, overwrite: Bool = false) throws -> ZooEntry {
    let source = URL(fileURLWithPath: directory).standardizedFileURL
    let destination = URL(fileURLWithPath: zooDirectory).standardizedFileURL
    try ProtectedOutput.check(URL(fileURLWithPath: zooDirectory), force: overwrite)
    let (model, tokenizer) = try GPT2Import.load(from: source.path)
    let name = destination.lastPathComponent
    let training = ZooEntryConfig.TrainingInfo(recipe: nil, data: "\(GPT2Import.sourceKind): \(source.path)", steps: 0, tokens: 0,
                                               wallSeconds: 0, parameters: model.parameterCount)
    let config = ZooEntryConfig(name: name, task: .languageModel, model: model.config,
                                tokenizer: .init(kind: GPT2Import.tokenizerKind, files: GPT2Import.tokenizerFiles),
                                metrics: [:], training: training)
    let export = ZooExport(config: config, weights: model.namedTensors.map { ($0.name, $0.tensor) },
                           tokenizerFiles: GPT2Import.tokenizerFiles.map { source.appendingPathComponent($0) },
                           card: GPT2Import.card(name: name, source: source.path, model: model, tokenizer: tokenizer))
    return try ZooRegistry.export(export, to: destination)
}

extension GPT2Import {
    /// What an imported entry's `training.data` starts with.
    public static let sourceKind = "huggingface-gpt2"
    /// The `TokenizerRegistry` kind of GPT-2's tokenizer, and its files.
    public static let tokenizerKind = "gpt2-bpe"
    public static let tokenizerFiles = ["vocab.json", "merges.txt"]

    /// The card of an imported GPT-2: where it came from, its shape, how to use it.
    static func card(name: String, source: String, model: GPT, tokenizer: ByteLevelBPETokenizer) -> String {
        let c = model.config
        var card = ModelCard(title: name, summary: """
            GPT-2 (Radford et al. 2019) imported from a Hugging Face checkpoint with `zoo import gpt2`. \
            The weights are the checkpoint's, renamed, with GPT-2's Conv1D weights transposed to \
            `nn.Linear`'s layout; nothing was trained here, so no metric was measured.
            """)
        card.facts = [
            ("task", "language-model"),
            ("source", "`\(source)` (config.json, model.safetensors, vocab.json, merges.txt)"),
            ("parameters", "\(ModelCard.count(model.parameterCount)) (output projection tied to the token embedding)"),
            ("blocks", "\(c.decoderLayers) pre-norm, final layer norm"),
            ("width", "\(c.dModel), \(c.heads) heads, feed-forward \(c.ffnDim), activation \(c.activation.rawValue)"),
            ("context", "\(c.maxLength) tokens, learned positions"),
            ("tokenizer", "GPT-2 byte-level BPE, \(tokenizer.vocabularySize) tokens"
                + (tokenizer.endOfTextId.map { ", end of text id \($0)" } ?? "")),
            ("dropout", "\(c.dropout) (when fine-tuning)"),
        ]
        card.usage = [
            "zoo generate --model \(name) --prompt \"Hello, I'm a language model,\" --max-tokens 40",
            "zoo finetune --model \(name) --data my.txt --steps 500 --out Zoo/my-\(name)",
        ]
        return card.markdown
    }
}
