import Foundation
import ModelZoo

/// A task recipe: everything `zoo run` needs to train a model end to end, read from a YAML file
/// by `RecipeLoader`. Each nested type is one section of the file; its stored properties are the
/// section's keys (snake_case in YAML) and their initial values are the defaults. This file is
/// the one place the defaults are written down.
///
/// ```yaml
/// name: gpt-kjv
/// task: language-model
/// data: {source: kjv}
/// tokenizer: {path: Tokenizers/kjv-unigram-8000.model, vocab_size: 8000}
/// model: {stack: decoder-only, d_model: 256, heads: 4, layers: 4, context: 128}
/// training: {steps: 4000, batch_tokens: 8192, learning_rate: 1e-3}
/// ```
///
/// Relative paths in a recipe are relative to the current directory (the project root).
///
/// The sections hold the keys every task shares. A task family's own keys (a translation's
/// `data.languages`, an image classifier's `model.patch_size`) live in the family's
/// `RecipeOptions` type, in its folder under `Tasks/`, stored here in `options`.
public struct Recipe: Sendable, Equatable {
    /// Required. The run's name (used for the work directory and the default export name).
    public var name: String
    /// Required. A registered task family (`TaskCatalog`).
    public var task: TaskName
    public var data: DataSection
    /// Required for text tasks.
    public var tokenizer: TokenizerSection?
    public var model: ModelSection
    public var training: TrainingSection
    public var evaluation = EvaluationSection()
    public var checkpoint = CheckpointSection()
    public var export = ExportSection()
    /// The task family's own keys, by type (`options[TranslationOptions.self]`).
    public var options = RecipeOptionsStore()
    /// The file the recipe was read from (empty when parsed from a string without a name).
    public var file = ""

    public init(name: String, task: TaskName, data: DataSection, tokenizer: TokenizerSection?, model: ModelSection,
                training: TrainingSection) {
        self.name = name
        self.task = task
        self.data = data
        self.tokenizer = tokenizer
        self.model = model
        self.training = training
    }

    /// `data:`: where the examples come from.
    public struct DataSection: Sendable, Equatable {
        /// A built-in corpus or data set of the task family (`TaskFamily.builtInSources`), instead of `train` / `validation`.
        public var source: String?
        /// Training text (language model: plain UTF-8 text).
        public var train: String?
        /// Held-out text for evaluation. Without it, the last `validation_split` of the training
        /// documents is held out.
        public var validation: String?
        /// Test text, if the task reports a final test metric.
        public var test: String?
        /// Fraction of training documents held out when there is no validation file.
        public var validationSplit = 0.1

        public init(source: String? = nil, train: String? = nil, validation: String? = nil) {
            self.source = source
            self.train = train
            self.validation = validation
        }
    }

    /// `tokenizer:`: the model file, and how to train one when it does not exist yet.
    public struct TokenizerSection: Sendable, Equatable {
        /// Required. The tokenizer file, conventionally under `Tokenizers/`.
        public var path: String
        /// `sentencepiece` (a `.model` file), `gpt2-bpe` (a directory with vocab.json and merges.txt),
        /// or another kind registered with `TokenizerRegistry`.
        public var kind = "sentencepiece"
        /// Training settings used only when `path` does not exist (sentencepiece's flags).
        public var vocabSize = 8000
        /// `unigram` or `bpe`.
        public var modelType = "unigram"
        public var characterCoverage = 0.9995
        /// `nmt_nfkc`, `nfkc`, `nmt_nfkc_cf`, `nfkc_cf` or `identity`.
        public var normalization = "nmt_nfkc"
        public var byteFallback = false

        public init(path: String) { self.path = path }

        public static let modelTypes = ["unigram", "bpe"]
        public static let normalizations = ["nmt_nfkc", "nfkc", "nmt_nfkc_cf", "nfkc_cf", "identity"]
    }

    /// `model:`: the stack and its sizes.
    public struct ModelSection: Sendable, Equatable {
        /// Which of the shared stacks the model is built on.
        public enum Stack: String, Sendable, CaseIterable {
            case decoderOnly = "decoder-only", encoderDecoder = "encoder-decoder", encoder
        }
        /// Required.
        public var stack: Stack
        /// Required.
        public var dModel: Int
        /// Required; must divide `d_model`.
        public var heads: Int
        /// Required (as `layers`, or as `encoder_layers` and/or `decoder_layers`).
        public var encoderLayers: Int
        public var decoderLayers: Int
        /// Feed-forward width; default 4 · d_model.
        public var ffn: Int?
        /// Longest sequence (tokens); also accepted as `max_length`.
        public var context = 256
        public var dropout: Float = 0.1
        /// `relu`, `gelu` or `gelu_tanh`; default gelu_tanh for decoder-only (GPT-2), relu otherwise (the paper).
        public var activation: String?
        /// `learned` or `sinusoidal`; default learned for decoder-only, sinusoidal otherwise.
        public var positional: String?
        /// Pre-norm blocks; default true for decoder-only, false (the paper's post-norm) otherwise.
        public var normFirst: Bool?
        public init(stack: Stack, dModel: Int, heads: Int, encoderLayers: Int = 0, decoderLayers: Int = 0) {
            self.stack = stack
            self.dModel = dModel
            self.heads = heads
            self.encoderLayers = encoderLayers
            self.decoderLayers = decoderLayers
        }

        public static let activations = ["relu", "gelu", "gelu_tanh"]
        public static let positionals = ["learned", "sinusoidal"]
    }

    /// `training:`: optimizer, schedule, batches and the seed.
    public struct TrainingSection: Sendable, Equatable {
        /// `training.optimizer`.
        public enum OptimizerKind: String, Sendable, CaseIterable { case adam, adamw, sgd }
        /// `training.schedule`: the learning rate after warmup.
        public enum ScheduleKind: String, Sendable, CaseIterable {
            case inverseSqrt = "inverse-sqrt", cosine, constant
        }
        public var optimizer: OptimizerKind = .adamw
        /// The peak learning rate (reached at the end of warm-up, whatever the schedule).
        public var learningRate: Float = 1e-3
        public var betas: [Float] = [0.9, 0.999]
        public var eps: Float = 1e-8
        /// Default 0.01 for adamw (PyTorch's), 0 otherwise.
        public var weightDecay: Float?
        public var schedule: ScheduleKind = .cosine
        /// Linear warm-up steps.
        public var warmup = 0
        /// Cosine: the learning rate at the last step.
        public var minLearningRate: Float = 0
        /// Required. Optimizer steps.
        public var steps: Int
        /// Required. Target tokens per optimizer step (all accumulated micro-batches together); a
        /// family that counts examples instead (images) reads its own key into it (`batch_size`).
        public var batchTokens: Int
        /// Micro-batches per step; each holds batch_tokens / accumulation tokens and its loss is
        /// scaled by 1 / accumulation, so the update equals one big batch's.
        public var accumulation = 1
        public var labelSmoothing: Float = 0
        /// Largest global gradient norm; 0 turns clipping off.
        public var clip: Float = 1
        /// Seeds the initialization, the data order and dropout.
        public var seed: UInt64 = 0
        /// Plain progress lines (when stderr is not a terminal) every this many steps.
        public var logEvery = 10

        public init(steps: Int, batchTokens: Int) {
            self.steps = steps
            self.batchTokens = batchTokens
        }
    }

    /// `evaluation:`: how often and on how much held-out data.
    public struct EvaluationSection: Sendable, Equatable {
        /// Evaluate every this many steps (and always after the last); 0: only after the last.
        public var every = 500
        /// Batches of held-out data per evaluation; 0: all of it.
        public var batches = 20
        public init() {}
    }

    /// `checkpoint:`: how often the training state is saved for `--resume`.
    public struct CheckpointSection: Sendable, Equatable {
        /// Save every this many steps (and always after the last); 0: only after the last.
        public var every = 500
        /// How many recent checkpoints stay on disk.
        public var keep = 1
        public init() {}
    }

    /// `export:`: the zoo entry written after training.
    public struct ExportSection: Sendable, Equatable {
        /// Zoo name; default the recipe's name. The entry goes to `Zoo/<name>/`.
        public var name: String?
        /// Export the mean of the last k ≤ `average` kept checkpoints, k chosen on validation
        /// (`CheckpointAverageChoice`); 1: the last step's weights.
        public var average = 1
        public init() {}
    }

    /// The zoo name the model is exported under.
    public var exportName: String { export.name ?? name }
}
