import Foundation
import Layers
import Tensors

/// Everything a new zoo entry is made of, before it is written.
public struct ZooExport {
    public var config: ZooEntryConfig
    /// The weights, by the model's parameter names, each in the dtype it is stored in.
    public var weights: [SafetensorsRecord]
    /// The tokenizer's files, copied into the entry under `config.tokenizer.files` (same order).
    public var tokenizerFiles: [URL]
    /// `card.md`.
    public var card: String
    /// Other files copied in as they are (the training log and curve).
    public var extraFiles: [URL] = []

    public init(config: ZooEntryConfig, weights: [(String, Tensor)], tokenizerFiles: [URL], card: String, extraFiles: [URL] = []) {
        self.init(config: config, records: weights.map { SafetensorsRecord($0.0, $0.1) }, tokenizerFiles: tokenizerFiles, card: card,
                  extraFiles: extraFiles)
    }

    /// An entry whose weights are stored in their own dtypes (a quantized model: `ModelQuantization.records`).
    public init(config: ZooEntryConfig, records: [SafetensorsRecord], tokenizerFiles: [URL], card: String, extraFiles: [URL] = []) {
        self.config = config
        self.weights = records
        self.tokenizerFiles = tokenizerFiles
        self.card = card
        self.extraFiles = extraFiles
    }
}
