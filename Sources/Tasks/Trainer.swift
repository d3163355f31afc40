import Foundation
import Layers

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
}

extension TrainingTask {
    public var randomSources: [RandomSource] { [] }
}

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
}

/// The training loop shared by every task: batches by token count, gradient accumulation,
/// clipping, the learning-rate schedule, periodic evaluation, the JSON-lines log and the loss
/// plot, atomic checkpoints and bit-exact resume, and a clear stop on a non-finite loss.
///
/// Resuming restores the weights, every optimizer's moments and step count, the data generator
/// and the model's dropout generators, so a resumed run takes exactly the steps an uninterrupted
/// one would have (same batches, same dropout masks, same losses).
public final class Trainer<Task: TrainingTask> {
    public let task: Task
    public let optimizers: [any Optimizer]
    public let schedule: any LearningRateSchedule
    public let settings: TrainingSettings
    /// Steps completed.
    public private(set) var step = 0
    private var dataRandom: RandomGenerator
    private var tokens = 0
    private var elapsedBefore = 0.0

    public var checkpointURL: URL { settings.directory.appendingPathComponent(Checkpoint.fileName) }
    public var logURL: URL { settings.directory.appendingPathComponent(TrainingLog.fileName) }
    public var plotURL: URL { settings.directory.appendingPathComponent(LossPlot.fileName) }

    /// `optimizers` must together cover the model's parameters (Adam/AdamW, or SGD without momentum).
    public init(task: Task, optimizers: [any Optimizer], schedule: any LearningRateSchedule, settings: TrainingSettings) throws {
        precondition(settings.steps >= 1 && settings.batchTokens >= 1 && settings.accumulation >= 1)
        try Checkpoint.checkSupported(optimizers, model: task.model)
        self.task = task
        self.optimizers = optimizers
        self.schedule = schedule
        self.settings = settings
        dataRandom = settings.dataGenerator
    }

    /// Trains to `settings.steps`, or until `stopAfter` steps (then checkpoints and returns, as a
    /// time-boxed run would). With `resume`, continues from the checkpoint in the directory.
    @discardableResult
    public func run(resume: Bool = false, stopAfter: Int? = nil) throws -> TrainingSummary {
        let fm = FileManager.default
        do { try fm.createDirectory(at: settings.directory, withIntermediateDirectories: true) } catch {
            throw TrainingError.cannotWrite(path: settings.directory.path, reason: error.localizedDescription)
        }
        let progressStyle = settings.progress ?? .automatic(every: settings.logEvery)
        if resume { try restore() }
        let progress = ProgressBar(total: settings.steps, completed: step, style: progressStyle)
        progress.unit = settings.rateUnit
        if resume {
            progress.note("resuming at step \(step) of \(settings.steps) from \(checkpointURL.path)")
        } else {
            if fm.fileExists(atPath: checkpointURL.path) {
                progress.note("note: starting afresh; \(checkpointURL.path) will be replaced (--resume continues from it)")
            }
            // Step-stamped checkpoints of an earlier run would confuse `keep`.
            for name in (try? fm.contentsOfDirectory(atPath: settings.directory.path)) ?? []
            where name.hasPrefix("checkpoint-") && name.hasSuffix(".safetensors") {
                try? fm.removeItem(at: settings.directory.appendingPathComponent(name))
            }
        }
        let log = try TrainingLog(url: logURL, keepingThrough: resume ? step : nil)
        var lastCheckpoint: String? = resume ? checkpointURL.path : nil
        var validation = log.records.last { !$0.validation.isEmpty }?.validation ?? [:]
        var losses: [Double] = []

        let parameters = task.model.parameters
        let microTokens = max(1, settings.batchTokens / settings.accumulation)
        let scale = 1 / Float(settings.accumulation)
        let start = Date()
        let end = min(settings.steps, stopAfter ?? settings.steps)
        task.model.setTraining(true)
        if settings.checkpointOnInterrupt { Interrupt.install() }
        defer { if settings.checkpointOnInterrupt { Interrupt.uninstall() } }

        while step < end {
            let stepStart = Date()
            let lr = schedule.learningRate(step: step)
            for o in optimizers { o.learningRate = lr }
            task.model.zeroGrad()
            var lossSum = 0.0, stepTokens = 0
            for _ in 0..<settings.accumulation {
                let batch = task.makeBatch(tokens: microTokens, generator: &dataRandom)
                stepTokens += task.tokenCount(of: batch)
                let loss = task.loss(on: batch)
                let value = loss.item
                guard value.isFinite else {
                    progress.finish()
                    throw TrainingError.nonFiniteLoss(step: step + 1, value: value, checkpoint: lastCheckpoint)
                }
                (settings.accumulation == 1 ? loss : loss * scale).backward()
                lossSum += Double(value)
            }
            var gradientScale: Float = 1
            if settings.clip > 0 {
                let (norm, scale) = gradientClipping(parameters, maxNorm: settings.clip)
                guard norm.isFinite else {
                    progress.finish()
                    throw TrainingError.nonFiniteGradient(step: step + 1, checkpoint: lastCheckpoint)
                }
                gradientScale = scale
            }
            for o in optimizers { o.step(gradientScale: gradientScale) }
            step += 1
            tokens += stepTokens
            let loss = lossSum / Double(settings.accumulation)
            losses.append(loss)
            let tokensPerSecond = Double(stepTokens) / max(Date().timeIntervalSince(stepStart), 1e-9)
            progress.update(step: step, loss: loss, tokensPerSecond: tokensPerSecond, learningRate: Double(lr))

            var record = TrainingRecord(step: step, loss: loss, learningRate: Double(lr), tokensPerSecond: tokensPerSecond,
                                        elapsed: elapsedBefore + Date().timeIntervalSince(start))
            let every = settings.evaluationEvery
            if (every > 0 && step % every == 0) || step == settings.steps {
                let metrics = evaluate()
                if !metrics.isEmpty {
                    validation = metrics
                    record.validation = metrics
                    progress.note("step \(step): " + metrics.keys.sorted().map { "\($0) \(String(format: "%.4f", metrics[$0]!))" }.joined(separator: ", "))
                }
            }
            try log.append(record)
            let checkpointEvery = settings.checkpointEvery
            if (checkpointEvery > 0 && step % checkpointEvery == 0) || step == settings.steps || step == end {
                try saveCheckpoint(elapsed: elapsedBefore + Date().timeIntervalSince(start))
                lastCheckpoint = checkpointURL.path
            }
            if !record.validation.isEmpty || step == end {
                try LossPlot.write(log.records, title: settings.title, to: plotURL)
            }
            if settings.checkpointOnInterrupt && Interrupt.requested && step < end {
                try saveCheckpoint(elapsed: elapsedBefore + Date().timeIntervalSince(start))
                try LossPlot.write(log.records, title: settings.title, to: plotURL)
                progress.finish()
                throw TrainingError.interrupted(step: step, checkpoint: checkpointURL.path)
            }
        }
        progress.finish()
        let recent = log.records.suffix(50).map(\.loss)
        return TrainingSummary(steps: step, tokens: tokens, wallSeconds: elapsedBefore + Date().timeIntervalSince(start),
                               finalLoss: recent.isEmpty ? .nan : recent.reduce(0, +) / Double(recent.count),
                               validation: validation, losses: losses)
    }

    /// The task's held-out metrics, prefixed `val_`, in evaluation mode and without gradients.
    public func evaluate() -> [String: Double] {
        let model = task.model
        let metrics = withoutGradients { () -> [String: Double] in
            model.setTraining(false)
            defer { model.setTraining(true) }
            return task.evaluate(batches: settings.evaluationBatches)
        }
        return Dictionary(uniqueKeysWithValues: metrics.map { ("val_\($0.key)", $0.value) })
    }

    private func saveCheckpoint(elapsed: Double) throws {
        let checkpoint = try Checkpoint(model: task.model, optimizers: optimizers, step: step, totalSteps: settings.steps,
                                        tokens: tokens, elapsedSeconds: elapsed, dataRandom: dataRandom,
                                        modelRandom: task.randomSources)
        try checkpoint.write(to: checkpointURL, keep: settings.keepCheckpoints)
    }

    private func restore() throws {
        guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
            throw TrainingError.nothingToResume(path: checkpointURL.path)
        }
        let checkpoint = try Checkpoint(contentsOf: checkpointURL)
        try checkpoint.restore(model: task.model, optimizers: optimizers, modelRandom: task.randomSources, path: checkpointURL.path)
        step = checkpoint.step
        tokens = checkpoint.tokens
        elapsedBefore = checkpoint.elapsedSeconds
        dataRandom = RandomGenerator(state: checkpoint.dataRandomState)
        if checkpoint.totalSteps != settings.steps {
            fputs("note: the checkpoint was made for a run of \(checkpoint.totalSteps) steps; continuing to \(settings.steps)\n", stderr)
        }
    }
}

/// SIGINT while training: the first asks the loop to checkpoint and stop after the current step;
/// the handler then steps aside so a second Ctrl-C ends the process at once.
enum Interrupt {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    static var requested: Bool { flag != 0 }

    static func install() {
        flag = 0
        signal(SIGINT) { _ in
            Interrupt.flag = 1
            signal(SIGINT, SIG_DFL)
        }
    }

    static func uninstall() { signal(SIGINT, SIG_DFL) }
}
