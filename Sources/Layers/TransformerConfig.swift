/// Every hyper-parameter of the shared stacks, as nanoGPT's GPTConfig.
public struct TransformerConfig: Codable, Sendable, Equatable {
    public var dModel: Int
    public var heads: Int
    public var ffnDim: Int
    public var encoderLayers: Int
    public var decoderLayers: Int
    public var vocabSize: Int
    /// Longest sequence the positional encoding covers.
    public var maxLength: Int
    public var dropout: Float
    public var activation: Activation
    /// Pre-norm (true) or the paper's post-norm (false).
    public var normFirst: Bool
    /// A final layer norm after each stack (nn.Transformer has one; pre-norm models need one).
    public var finalNorm: Bool
    public var layerNormEps: Float
    public var positional: PositionalKind
    /// One embedding table for source and target (a joint vocabulary), as in the paper.
    public var shareEmbeddings: Bool
    /// The output projection reuses the target embedding (paper §3.4).
    public var tieOutput: Bool
    /// Multiply embeddings by √d_model (paper §3.4).
    public var scaleEmbeddings: Bool
    /// The decoder's own vocabulary size when its tokens are not the source's (a parser's tree
    /// tokens); nil: one vocabulary. Needs separate embeddings.
    public var targetVocabSize: Int?

    /// The decoder's vocabulary size: what an encoder–decoder's logits range over.
    public var outputVocabSize: Int { targetVocabSize ?? vocabSize }

    /// How positions enter the model: fixed sinusoids (the paper, §3.5) or learned embeddings (GPT, ViT).
    public enum PositionalKind: String, Codable, Sendable { case sinusoidal, learned }

    public init(dModel: Int = 512, heads: Int = 8, ffnDim: Int = 2048, encoderLayers: Int = 6, decoderLayers: Int = 6,
                vocabSize: Int = 32000, maxLength: Int = 1024, dropout: Float = 0.1, activation: Activation = .relu,
                normFirst: Bool = false, finalNorm: Bool = false, layerNormEps: Float = 1e-5,
                positional: PositionalKind = .sinusoidal, shareEmbeddings: Bool = true, tieOutput: Bool = true,
                scaleEmbeddings: Bool = true) {
        self.dModel = dModel
        self.heads = heads
        self.ffnDim = ffnDim
        self.encoderLayers = encoderLayers
        self.decoderLayers = decoderLayers
        self.vocabSize = vocabSize
        self.maxLength = maxLength
        self.dropout = dropout
        self.activation = activation
        self.normFirst = normFirst
        self.finalNorm = finalNorm
        self.layerNormEps = layerNormEps
        self.positional = positional
        self.shareEmbeddings = shareEmbeddings
        self.tieOutput = tieOutput
        self.scaleEmbeddings = scaleEmbeddings
    }

    /// The base model of the paper (Table 3): d=512, 8 heads, ffn 2048, 6+6 layers, post-norm.
    public static let paperBase = TransformerConfig()
}
