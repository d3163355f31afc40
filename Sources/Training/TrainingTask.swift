import Layers
import Tensors

/// What the trainer needs of a task: batches, a loss and an evaluation. Every task (language
/// model, translation, parsing, image classification) conforms, and `Trainer` does the rest.
public protocol TrainingTask: AnyObject {
    associatedtype Model: Module
    associatedtype Batch

    /// The network being trained.
    var model: Model { get }
    /// The generators inside the model (dropout); checkpoints save and restore their states.
    var randomSources: [RandomSource] { get }
    /// A training batch of about `tokens` target tokens. All randomness (which examples, in what
    /// order) comes from `generator`, whose state is the data position a checkpoint records.
    func makeBatch(tokens: Int, generator: inout RandomGenerator) -> Batch
    /// Target tokens in `batch` (for tokens/s).
    func tokenCount(of batch: Batch) -> Int
    /// The mean loss over `batch`, recorded for backward.
    func loss(on batch: Batch) -> Tensor
    /// Held-out metrics on up to `batches` batches (0: all held-out data), named without the
    /// `val_` prefix the log adds, `loss` first among them (e.g. `loss`, `ppl`). Called in
    /// evaluation mode without gradients; it must not draw from the training generators.
    func evaluate(batches: Int) -> [String: Double]

    /// Whether `partialLoss` splits this task's batches across the ranks of a data-parallel run.
    var splitsAcrossRanks: Bool { get }
    /// The share of `loss(on: batch)` that the `part`-th of `parts` near-equal slices of the
    /// batch's examples (`DataParallel.slice`) contributes: the slice's mean loss weighted by its
    /// share of what the mean is over, so that the parts' shares add up to the whole batch's loss
    /// and the sum of their gradients is its gradient. Nil for an empty slice.
    func partialLoss(on batch: Batch, part: Int, of parts: Int) -> Tensor?
}

extension TrainingTask {
    public var randomSources: [RandomSource] { [] }
    public var splitsAcrossRanks: Bool { false }
    public func partialLoss(on batch: Batch, part: Int, of parts: Int) -> Tensor? {
        preconditionFailure("\(Self.self) does not split its batches across ranks")
    }
}

