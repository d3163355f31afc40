/// What `zoo eval` was asked: the data and the decoding settings. Each family reads the fields it
/// needs and says which are missing.
public struct EvaluationRequest: Sendable {
    /// A data file, folder or named data set (language model: text; images: a folder of class folders).
    public var data: String?
    /// Translation: the source sentences and the reference files.
    public var source: String?
    public var references: [String] = []
    /// Translation: where to write the hypotheses.
    public var hypothesesOut: String?
    public var beam = 4
    public var lengthPenalty = 0.6
    /// Examples per forward pass.
    public var batchSize = 64
    public init() {}
}
