import Foundation
import Layers
import Tensors

/// Everything a new zoo entry is made of, before it is written.
public struct ZooExport {
    public var config: ZooEntryConfig
    /// The weights, by the model's parameter names.
    public var weights: [(String, Tensor)]
    /// The tokenizer's files, copied into the entry under `config.tokenizer.files` (same order).
    public var tokenizerFiles: [URL]
    /// `card.md`.
    public var card: String
    /// Other files copied in as they are (the training log and curve).
    public var extraFiles: [URL] = []

    public init(config: ZooEntryConfig, weights: [(String, Tensor)], tokenizerFiles: [URL], card: String, extraFiles: [URL] = []) {
        self.config = config
        self.weights = weights
        self.tokenizerFiles = tokenizerFiles
        self.card = card
        self.extraFiles = extraFiles
    }
}
