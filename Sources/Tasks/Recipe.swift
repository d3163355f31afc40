import Foundation

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
public struct Recipe: Sendable, Equatable {
    /// What the model learns to do.
    public enum Task: String, Sendable, CaseIterable, Codable {
        case languageModel = "language-model"
        case translation
        case parsing
        case imageClassification = "image-classification"
    }

    /// Required. The run's name (used for the work directory and the default export name).
    public var name: String
    /// Required. One of `Task`'s raw values.
    public var task: Task
    public var data: DataSection
    /// Required for text tasks.
    public var tokenizer: TokenizerSection?
    public var model: ModelSection
    public var training: TrainingSection
    public var evaluation = EvaluationSection()
    public var checkpoint = CheckpointSection()
    public var export = ExportSection()
    /// The file the recipe was read from (empty when parsed from a string without a name).
    public var file = ""

    public init(name: String, task: Task, data: DataSection, tokenizer: TokenizerSection?, model: ModelSection,
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
        /// A built-in corpus (see `builtInSources`), instead of `train` / `validation`.
        public var source: String?
        /// Training text (language model: plain UTF-8 text).
        public var train: String?
        /// Held-out text for evaluation. Without it, the last `validation_split` of the training
        /// documents is held out.
        public var validation: String?
        /// Test text, if the task reports a final test metric.
        public var test: String?
        /// Language model: what a document is; an end-of-text token follows each one.
        public var documents: DocumentUnit = .line
        /// Fraction of training documents held out when there is no validation file.
        public var validationSplit = 0.1
        /// Images: per-channel mean and standard deviation the [0, 1] pixels are normalized by
        /// (one value applies to every channel). Default for fashion-mnist its training set's
        /// 0.2860 / 0.3530; otherwise 0.5 / 0.5 (Hugging Face's ViT).
        public var mean: [Float]?
        public var std: [Float]?
        /// Images: random-crop augmentation, pad P pixels of black on every side and crop back to
        /// the original size at a random offset (torchvision's `RandomCrop(size, padding=P)`); 0 is off.
        public var cropPadding = 0
        /// Images: mirror each training image left to right with probability 1/2.
        public var horizontalFlip = false
        /// Translation: the source and target languages. A split `P` (train, validation, test) is
        /// the files `P.<source>` and `P.<target>`, one sentence a line (fairseq's convention), or
        /// WMT SGML `P.<source>.sgm` and `P.<target>.sgm`, or one tab-separated file `P.tsv`.
        /// Default for a built-in corpus: its own pair.
        public var languages: [String]?
        /// Translation: training pairs with a side longer than this many words are dropped
        /// (Moses' clean-corpus-n; pairs longer than the model's context are dropped anyway).
        public var maxWords = 250
        /// Translation: pairs whose word counts differ by more than this ratio are dropped.
        public var maxRatio = 9.0

        public init(source: String? = nil, train: String? = nil, validation: String? = nil) {
            self.source = source
            self.train = train
            self.validation = validation
        }

        /// `line`: every non-empty line is a document; `paragraph`: blank lines separate them.
        public enum DocumentUnit: String, Sendable, CaseIterable { case line, paragraph }

        /// The training and validation files of the named built-in corpora; `make data` extracts them.
        public static let builtInSources: [String: (train: String, validation: String)] = [
            "kjv": ("data/kjv/train.txt", "data/kjv/valid.txt"),
            "bible-en-es": ("data/bible-en-es/train", "data/bible-en-es/valid"),
        ]

        /// The built-in parallel corpora: their test split and language pair (either direction).
        public static let builtInParallel: [String: (test: String, languages: [String])] = [
            "bible-en-es": ("data/bible-en-es/test", ["en", "es"]),
        ]

        /// The built-in image data sets (`source:` of an image-classification recipe): their
        /// default normalization (mean, std of the training pixels).
        public static let builtInImageSources: [String: (mean: [Float], std: [Float])] = [
            "fashion-mnist": ([0.2860], [0.3530]),
        ]

        /// `train` and `validation` with a built-in `source` resolved to its files.
        public var resolvedFiles: (train: String?, validation: String?) {
            if let source, let files = Self.builtInSources[source] { return (files.train, files.validation) }
            return (train, validation)
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
        /// Images: the (square) input size the model sees; default the data's image size.
        public var imageSize: Int?
        /// Images: input channels (1 grey, 3 RGB); default the data's.
        public var channels: Int?
        /// Images: the side of the square patches (required for image classification; must divide image_size).
        public var patchSize: Int?
        /// Images: an optional convolutional stem before the patch embedding.
        public var stem: StemSection?

        /// `stem: {channels: [32, 64], strides: [1, 2]}`: one 3×3 convolution (batch norm, ReLU)
        /// per entry, with its output channels and stride.
        public struct StemSection: Sendable, Equatable {
            public var channels: [Int]
            public var strides: [Int]
            public init(channels: [Int], strides: [Int]) {
                self.channels = channels
                self.strides = strides
            }
        }

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
        public enum OptimizerKind: String, Sendable, CaseIterable { case adam, adamw, sgd }
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
        /// Required. Target tokens per optimizer step (all accumulated micro-batches together).
        public var batchTokens: Int
        /// Images per optimizer step (image tasks, instead of batch_tokens; `batchTokens` then
        /// holds the same number, so the trainer's "tokens" are images).
        public var batchSize: Int?
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
        /// Translation: also report BLEU of greedy translations of the validation set.
        public var bleu = true
        /// Translation: the beam size of the final test-set BLEU (1: greedy).
        public var beam = 4
        /// Translation: the length penalty α of the final beam search (Wu et al. 2016).
        public var lengthPenalty = 0.6
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
        /// Language model: the prompt of the sample in the model card.
        public var prompt = ""
        /// Language model: tokens in the card's sample.
        public var sampleTokens = 60
        /// Translation: test sentences shown with their translations in the card.
        public var samples = 5
        public init() {}
    }

    /// The zoo name the model is exported under.
    public var exportName: String { export.name ?? name }
}
