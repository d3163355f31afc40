import Foundation
import Layers
import Tensors

/// The trainer's settings (`TrainingSettings(recipe:directory:)` makes them from a recipe).
public struct TrainingSettings: Sendable {
    /// Optimizer steps of the whole run.
    public var steps: Int
    /// Target tokens per optimizer step, over all micro-batches.
    public var batchTokens: Int
    /// Micro-batches per step (each of batchTokens / accumulation tokens; losses scaled by 1/accumulation).
    public var accumulation = 1
    /// Largest global gradient norm; 0: no clipping.
    public var clip: Float = 1
    /// Seeds the data generator (the model's own generators are seeded by the model).
    public var seed: UInt64 = 0
    /// Evaluate every this many steps (and after the last); 0: only after the last.
    public var evaluationEvery = 500
    /// Held-out batches per evaluation; 0: all.
    public var evaluationBatches = 20
    /// Checkpoint every this many steps (and after the last); 0: only after the last.
    public var checkpointEvery = 500
    public var keepCheckpoints = 1
    /// Plain progress lines every this many steps.
    public var logEvery = 10
    /// Where `train.jsonl`, `loss.svg` and `checkpoint.safetensors` go.
    public var directory: URL
    /// How progress is shown (default: a bar on a terminal, lines otherwise).
    public var progress: ProgressBar.Style?
    /// The plot's title.
    public var title = "training"
    /// What the progress rate counts: "tok" (text tasks) or "img" (image tasks).
    public var rateUnit = "tok"
    /// On SIGINT (Ctrl-C), finish the step, write a checkpoint and stop with `TrainingError.interrupted`
    /// (a second Ctrl-C ends the process at once).
    public var checkpointOnInterrupt = false
    /// The ranks this run trains on together (`DataParallel.world`: this process alone, or the
    /// job mpirun started). Each rank takes its slice of every batch; rank 0 alone writes.
    public var processGroup: any ProcessGroup = DataParallel.world
    /// The size of the gradient buckets summed across ranks while the backward pass goes on.
    public var bucketBytes = 1 << 20

    public init(steps: Int, batchTokens: Int, directory: URL) {
        self.steps = steps
        self.batchTokens = batchTokens
        self.directory = directory
    }

    /// The data generator a fresh run starts from (a task that keeps a data order of its own
    /// replays it from here on resume; see `EpochSampler`).
    public var dataGenerator: RandomGenerator { RandomGenerator(seed: seed ^ 0x0DA7_A0DE_5EED_0001) }
}

/// What a finished (or stopped) run did.
public struct TrainingSummary: Sendable {
    /// Steps completed (across resumes).
    public var steps: Int
    /// Training tokens seen (across resumes).
    public var tokens: Int
    /// Wall-clock seconds (across resumes).
    public var wallSeconds: Double
    /// Mean training loss of the last steps (up to 50).
    public var finalLoss: Double
    /// The last evaluation's metrics (`val_loss`, `val_ppl`, ...).
    public var validation: [String: Double]
    /// The losses of the steps this process took (for tests and summaries).
    public var losses: [Double]
    /// The processes that trained together (1 alone; the last run's when resumed).
    public var ranks = 1
    /// The steps at which the run was resumed, oldest first (empty for one sitting; only the
    /// sittings since checkpoints began recording them).
    public var resumedAt: [Int] = []
}
