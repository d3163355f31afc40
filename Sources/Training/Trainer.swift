import Foundation
import Layers
import Tensors

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
    private var resumedAt: [Int] = []

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
    ///
    /// On several ranks (`settings.processGroup`), every rank draws the same global batch and
    /// trains on its slice of it (`TrainingTask.partialLoss`); the gradients are summed across the
    /// ranks while the backward pass goes on (`GradientReducer`), so clipping and the optimizer see
    /// the whole batch's gradient on every rank. Rank 0 alone shows progress, evaluates and writes
    /// the log, the plot and the checkpoints, which are the same whatever the number of ranks.
    @discardableResult
    public func run(resume: Bool = false, stopAfter: Int? = nil) throws -> TrainingSummary {
        let fm = FileManager.default
        let group = settings.processGroup, ranks = group.size, primary = group.isPrimary
        if ranks > 1 && !task.splitsAcrossRanks { throw DataParallelError.taskNotSplittable("\(Task.self)") }
        if primary {
            do { try fm.createDirectory(at: settings.directory, withIntermediateDirectories: true) } catch {
                throw TrainingError.cannotWrite(path: settings.directory.path, reason: error.localizedDescription)
            }
        }
        let progressStyle = primary ? settings.progress ?? .automatic(every: settings.logEvery) : .silent
        if resume { try restore() } else if ranks > 1 { try broadcastWeights() }
        if ranks > 1 { decorrelateDropout(rank: group.rank) }
        let progress = ProgressBar(total: settings.steps, completed: step, style: progressStyle)
        progress.unit = settings.rateUnit
        progress.maxSilence = 10  // a log (not a terminal) hears from a run of slow steps at least every 10 s
        if ranks > 1 {
            progress.note("data-parallel on \(ranks) ranks × \(Parallel.cores) thread(s); each step's batch is split between them")
        }
        if resume {
            progress.note("resuming at step \(step) of \(settings.steps) from \(checkpointURL.path)")
        } else if primary {
            if fm.fileExists(atPath: checkpointURL.path) {
                progress.note("note: starting afresh; \(checkpointURL.path) will be replaced (--resume continues from it)")
            }
            // Step-stamped checkpoints of an earlier run would confuse `keep`.
            for name in (try? fm.contentsOfDirectory(atPath: settings.directory.path)) ?? []
            where name.hasPrefix("checkpoint-") && name.hasSuffix(".safetensors") {
                try? fm.removeItem(at: settings.directory.appendingPathComponent(name))
            }
        }
        let log = primary ? try TrainingLog(url: logURL, keepingThrough: resume ? step : nil) : nil
        var lastCheckpoint: String? = resume ? checkpointURL.path : nil
        var checkpointStep = step
        // Rank 0's last word if mpirun ends the job because another rank failed.
        func sayOnTermination() {
            guard primary else { return }
            let whole = lastCheckpoint.map { "\($0) (step \(checkpointStep)) is whole; continue with --resume" } ?? "no checkpoint was written yet"
            DataParallel.onTermination(say: "the job ended: another process failed or mpirun was stopped; \(whole)")
        }
        sayOnTermination()
        var validation = log?.records.last { !$0.validation.isEmpty }?.validation ?? [:]
        var losses: [Double] = []

        let parameters = task.model.parameters
        let microTokens = max(1, settings.batchTokens / settings.accumulation)
        let scale = 1 / Float(settings.accumulation)
        let reducer = ranks > 1 ? GradientReducer(parameters: parameters, group: group, bucketBytes: settings.bucketBytes) : nil
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
            var interruptedSomewhere = Interrupt.requested
            for micro in 0..<settings.accumulation {
                let batch = task.makeBatch(tokens: microTokens, generator: &dataRandom)
                stepTokens += task.tokenCount(of: batch)
                if let reducer {
                    lossSum += try backwardSlice(of: batch, reducer: micro == settings.accumulation - 1 ? reducer : nil)
                    continue
                }
                let loss = task.loss(on: batch)
                let value = loss.item
                guard value.isFinite else {
                    progress.finish()
                    throw TrainingError.nonFiniteLoss(step: step + 1, value: value, checkpoint: lastCheckpoint)
                }
                (settings.accumulation == 1 ? loss : loss * scale).backward()
                lossSum += Double(value)
            }
            if let reducer {
                try reducer.finish()
                let sums = try group.allReduceSum([lossSum, Interrupt.requested ? 1 : 0])
                lossSum = sums[0]
                interruptedSomewhere = sums[1] > 0
                guard lossSum.isFinite else {
                    progress.finish()
                    throw TrainingError.nonFiniteLoss(step: step + 1, value: Float(lossSum / Double(settings.accumulation)),
                                                      checkpoint: lastCheckpoint)
                }
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
            if primary && ((every > 0 && step % every == 0) || step == settings.steps) {
                let metrics = evaluate()
                if !metrics.isEmpty {
                    validation = metrics
                    record.validation = metrics
                    progress.note("step \(step): " + TrainingLog.metricLine(metrics))
                }
            }
            try log?.append(record)
            let checkpointEvery = settings.checkpointEvery
            if (checkpointEvery > 0 && step % checkpointEvery == 0) || step == settings.steps || step == end {
                if primary { try saveCheckpoint(elapsed: elapsedBefore + Date().timeIntervalSince(start)) }
                lastCheckpoint = checkpointURL.path
                checkpointStep = step
                sayOnTermination()
            }
            if let log, !record.validation.isEmpty || step == end {
                try LossPlot.write(log.records, title: settings.title, to: plotURL)
            }
            if settings.checkpointOnInterrupt && interruptedSomewhere && step < end {
                if let log {
                    try saveCheckpoint(elapsed: elapsedBefore + Date().timeIntervalSince(start))
                    try LossPlot.write(log.records, title: settings.title, to: plotURL)
                }
                progress.finish()
                throw TrainingError.interrupted(step: step, checkpoint: checkpointURL.path)
            }
        }
        progress.finish()
        let recent = log?.records.suffix(50).map(\.loss) ?? losses.suffix(50)
        return TrainingSummary(steps: step, tokens: tokens, wallSeconds: elapsedBefore + Date().timeIntervalSince(start),
                               finalLoss: recent.isEmpty ? .nan : recent.reduce(0, +) / Double(recent.count),
                               validation: validation, losses: losses, ranks: ranks, resumedAt: resumedAt)
    }

    /// The task's held-out metrics, prefixed `val_`, in evaluation mode and without gradients.
    public func evaluate() -> [String: Double] {
        let model = task.model
        let metrics = model.evaluating { withoutGradients { task.evaluate(batches: settings.evaluationBatches) } }
        return Dictionary(uniqueKeysWithValues: metrics.map { ("val_\($0.key)", $0.value) })
    }

    private func saveCheckpoint(elapsed: Double) throws {
        var checkpoint = try Checkpoint(model: task.model, optimizers: optimizers, step: step, totalSteps: settings.steps,
                                        tokens: tokens, elapsedSeconds: elapsed, dataRandom: dataRandom,
                                        modelRandom: task.randomSources)
        checkpoint.resumedAt = resumedAt
        try checkpoint.write(to: checkpointURL, keep: settings.keepCheckpoints)
    }

    private func restore() throws {
        let group = settings.processGroup
        var url = checkpointURL
        if group.size > 1 {
            // Rank 0's checkpoint, sent to the others: their hosts need not share the run's directory.
            let bytes = try group.broadcast(group.isPrimary ? (FileManager.default.contents(atPath: url.path).map { [UInt8]($0) } ?? []) : [],
                                            from: 0)
            guard !bytes.isEmpty else { throw TrainingError.nothingToResume(path: checkpointURL.path) }
            if !group.isPrimary {
                url = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-checkpoint-\(getpid()).safetensors")
                do { try Data(bytes).write(to: url) } catch {
                    throw TrainingError.cannotWrite(path: url.path, reason: error.localizedDescription)
                }
            }
        }
        defer { if url != checkpointURL { try? FileManager.default.removeItem(at: url) } }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError.nothingToResume(path: checkpointURL.path)
        }
        let checkpoint = try Checkpoint(contentsOf: url)
        try checkpoint.restore(model: task.model, optimizers: optimizers, modelRandom: task.randomSources, path: checkpointURL.path)
        step = checkpoint.step
        tokens = checkpoint.tokens
        elapsedBefore = checkpoint.elapsedSeconds
        resumedAt = checkpoint.resumedAt + [step]
        dataRandom = RandomGenerator(state: checkpoint.dataRandomState)
        if checkpoint.totalSteps != settings.steps && group.isPrimary {
            fputs("note: the checkpoint was made for a run of \(checkpoint.totalSteps) steps; continuing to \(settings.steps)\n", stderr)
        }
    }

    /// This rank's slice of `batch`: its loss, back-propagated (scaled for accumulation); with a
    /// reducer (the step's last micro-batch), the gradients' sums start during the pass.
    private func backwardSlice(of batch: Task.Batch, reducer: GradientReducer?) throws -> Double {
        let group = settings.processGroup
        guard let loss = task.partialLoss(on: batch, part: group.rank, of: group.size) else { return 0 }
        var failure: (any Error)?
        let done: ((Tensor) -> Void)? = reducer.map { reducer in
            { leaf in
                guard failure == nil else { return }
                do { try reducer.gradientDone(leaf) } catch { failure = error }
            }
        }
        (settings.accumulation == 1 ? loss : loss * (1 / Float(settings.accumulation))).backward(leafDone: done)
        if let failure { throw failure }
        return Double(loss.item)
    }

    /// Rank 0's initial weights on every rank.
    private func broadcastWeights() throws {
        let parameters = task.model.parameters, group = settings.processGroup
        var flat = [Float](repeating: 0, count: parameters.reduce(0) { $0 + $1.count })
        try flat.withUnsafeMutableBufferPointer { buffer in
            var at = buffer.baseAddress!
            if group.isPrimary {
                for p in parameters { at.update(from: p.data, count: p.count); at += p.count }
            }
            try group.broadcast(UnsafeMutableRawBufferPointer(buffer), from: 0)
            at = buffer.baseAddress!
            for p in parameters { p.data.update(from: at, count: p.count); at += p.count }
        }
    }

    /// Gives each rank other than 0 its own dropout masks, derived from rank 0's generators and
    /// the rank, so that the ranks' slices are not masked alike.
    private func decorrelateDropout(rank: Int) {
        guard rank > 0 else { return }
        for source in task.randomSources {
            let state = source.generator.state
            source.generator = RandomGenerator(seed: state[0] ^ state[3] ^ (UInt64(rank) &* 0x9E37_79B9_7F4A_7C15))
        }
    }
}
