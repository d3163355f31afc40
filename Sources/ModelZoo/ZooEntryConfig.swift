import Foundation
import Layers
import Models

/// `Zoo/<name>/config.json`: what a zoo entry is, enough to rebuild it.
///
/// ```json
/// {"name": "gpt-kjv", "task": "language-model",
///  "model": {...TransformerConfig...},
///  "tokenizer": {"kind": "sentencepiece", "files": ["tokenizer.model"]},
///  "metrics": {"val_loss": 3.2, "val_ppl": 24.5},
///  "training": {"recipe": "Recipes/gpt-kjv.yaml", "data": "...", "steps": 4000, ...}}
/// ```
public struct ZooEntryConfig: Codable, Sendable, Equatable {
    public var name: String
    public var task: TaskName
    /// The shared stacks' configuration (its own Codable form).
    public var model: TransformerConfig
    public var tokenizer: TokenizerInfo
    /// Measured metrics (`val_loss`, `val_ppl`, `bleu`, `f1`, `accuracy`, ...).
    public var metrics: [String: Double]
    public var training: TrainingInfo
    /// Image classification: the Vision Transformer (`model` is then its encoder); nil otherwise,
    /// so entries written before images existed still decode.
    public var vision: VisionTransformerConfig?
    /// Image classification: what is done to an image before the model sees it.
    public var image: ImagePreprocessing?
    /// Translation: the source and target languages (e.g. ["en", "es"]).
    public var languages: [String]?
    /// Parsing: the chart parser (`model` is then its encoder).
    public var parser: ChartParserConfig?
    /// Parsing: the sequence-to-sequence parser's target vocabulary and search (`model` is its encoder–decoder).
    public var seq2seqParser: Seq2SeqParserConfig?
    /// How the matrices are stored: "int8" or "bf16" for an entry `zoo quantize` wrote
    /// (`ModelQuantization`); nil for fp32.
    public var dtype: String?
    /// A quantized entry: the entry it was quantized from.
    public var quantizedFrom: String?

    public init(name: String, task: TaskName, model: TransformerConfig, tokenizer: TokenizerInfo,
                metrics: [String: Double], training: TrainingInfo, vision: VisionTransformerConfig? = nil,
                image: ImagePreprocessing? = nil) {
        self.name = name
        self.task = task
        self.model = model
        self.tokenizer = tokenizer
        self.metrics = metrics
        self.training = training
        self.vision = vision
        self.image = image
    }

    /// The entry's tokenizer: its registry kind and its files.
    public struct TokenizerInfo: Codable, Sendable, Equatable {
        /// A `TokenizerRegistry` kind: "sentencepiece" or "gpt2-bpe".
        public var kind: String
        /// The files in the entry's directory.
        public var files: [String]
        public init(kind: String, files: [String]) {
            self.kind = kind
            self.files = files
        }
    }

    /// How the weights came to be.
    public struct TrainingInfo: Codable, Sendable, Equatable {
        /// The recipe file, for `zoo run`; nil for imported or fine-tuned models.
        public var recipe: String?
        /// What the model was trained on, in words (files, corpus).
        public var data: String
        public var steps: Int
        public var tokens: Int
        public var wallSeconds: Double
        public var parameters: Int
        /// The zoo entry this one was fine-tuned from.
        public var finetunedFrom: String?
        /// ISO 8601 time of export.
        public var created: String
        /// The processes that trained it together (`mpirun -np N`); nil for one.
        public var ranks: Int?
        /// The CPU it was trained on (`Machine.summary`), when known.
        public var machine: String?
        /// The steps of the checkpoints whose mean the weights are (the recipe's `export.average`),
        /// newest first; nil for the last step's weights.
        public var averagedSteps: [Int]?
        /// The steps at which training was resumed, oldest first; nil for one sitting.
        public var resumedAt: [Int]?
        /// How the recipe's settings changed between the run's start and its export (`RecipeChanges`):
        /// empty when they did not, nil when that is unknown.
        public var recipeChanges: [String]?

        public init(recipe: String?, data: String, steps: Int, tokens: Int, wallSeconds: Double, parameters: Int,
                    finetunedFrom: String? = nil, ranks: Int? = nil, machine: String? = nil,
                    created: Date = Date()) {
            self.recipe = recipe
            self.data = data
            self.steps = steps
            self.tokens = tokens
            self.wallSeconds = wallSeconds
            self.parameters = parameters
            self.finetunedFrom = finetunedFrom
            self.ranks = ranks.flatMap { $0 > 1 ? $0 : nil }
            self.machine = machine
            self.created = ISO8601DateFormatter().string(from: created)
        }

        enum CodingKeys: String, CodingKey {
            case recipe, data, steps, tokens, parameters, created, ranks, machine
            case wallSeconds = "wall_seconds", finetunedFrom = "finetuned_from", averagedSteps = "averaged_steps"
            case resumedAt = "resumed_at", recipeChanges = "recipe_changes"
        }
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
