import Foundation
import Layers
import Tokenization

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
    public var task: Recipe.Task
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

    public init(name: String, task: Recipe.Task, model: TransformerConfig, tokenizer: TokenizerInfo,
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

        public init(recipe: String?, data: String, steps: Int, tokens: Int, wallSeconds: Double, parameters: Int,
                    finetunedFrom: String? = nil, created: Date = Date()) {
            self.recipe = recipe
            self.data = data
            self.steps = steps
            self.tokens = tokens
            self.wallSeconds = wallSeconds
            self.parameters = parameters
            self.finetunedFrom = finetunedFrom
            self.created = ISO8601DateFormatter().string(from: created)
        }

        enum CodingKeys: String, CodingKey {
            case recipe, data, steps, tokens, parameters, created
            case wallSeconds = "wall_seconds", finetunedFrom = "finetuned_from"
        }
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// A model in the zoo: a directory with `config.json`, `model.safetensors`, the tokenizer
/// file(s) and `card.md`.
public struct ZooEntry: Sendable {
    public static let configFile = "config.json", weightsFile = "model.safetensors", cardFile = "card.md"

    public let directory: URL
    public let config: ZooEntryConfig

    public var name: String { config.name }

    /// Reads the entry's `config.json`.
    public init(directory: URL) throws {
        self.directory = directory
        let url = directory.appendingPathComponent(Self.configFile)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ZooError.missingFile(url.path) }
        do {
            config = try JSONDecoder().decode(ZooEntryConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ZooError.badEntry(path: url.path, reason: "missing key '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ZooError.badEntry(path: url.path, reason: "key '\(path)': \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ZooError.badEntry(path: url.path, reason: path.isEmpty ? "not valid JSON" : "key '\(path)': \(context.debugDescription)")
        } catch {
            throw ZooError.badEntry(path: url.path, reason: "\(error)")
        }
    }

    /// The entry's tokenizer, by its kind.
    public func loadTokenizer() throws -> any TextTokenizer {
        let kind = try TokenizerRegistry.kind(config.tokenizer.kind)
        let files = config.tokenizer.files.map { directory.appendingPathComponent($0) }
        guard files.count == kind.files.count else {
            throw ZooError.badEntry(path: directory.appendingPathComponent(Self.configFile).path,
                                    reason: "a \(config.tokenizer.kind) tokenizer is \(kind.files.count) file(s), config.json lists \(files.count)")
        }
        for f in files where !FileManager.default.fileExists(atPath: f.path) { throw ZooError.missingFile(f.path) }
        return try kind.load(files)
    }

    /// The weights by name.
    public func loadWeights() throws -> [String: Tensor] {
        let path = directory.appendingPathComponent(Self.weightsFile).path
        guard FileManager.default.fileExists(atPath: path) else { throw ZooError.missingFile(path) }
        return try SafetensorsFile(path: path).tensors()
    }

    /// A language-model entry's model (weights loaded, in evaluation mode) and tokenizer.
    public func loadLanguageModel(seed: UInt64 = 0) throws -> (model: LanguageModel, tokenizer: any TextTokenizer) {
        guard config.task == .languageModel else {
            throw ZooError.wrongTask(model: name, expected: Recipe.Task.languageModel.rawValue, found: config.task.rawValue)
        }
        let tokenizer = try loadTokenizer()
        let model = LanguageModel(config.model, seed: seed)
        do {
            try model.load(try loadWeights())
        } catch let error as StateDictError {
            throw ZooError.badEntry(path: directory.appendingPathComponent(Self.weightsFile).path, reason: "\(error)")
        }
        guard tokenizer.vocabularySize <= config.model.vocabSize else {
            throw ZooError.badEntry(path: directory.path, reason: "the tokenizer has \(tokenizer.vocabularySize) tokens, the model \(config.model.vocabSize)")
        }
        model.setTraining(false)
        return (model, tokenizer)
    }

    /// The model card's text, if there is one.
    public var card: String? {
        try? String(contentsOf: directory.appendingPathComponent(Self.cardFile), encoding: .utf8)
    }
}
