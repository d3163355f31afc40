import Foundation
@testable import Layers
@testable import Training
import Tasks
import TestSupport
import Testing
import Tensors

@Suite struct TrainingLoopTests {
    /// Everything a run is made of, built from scratch as a new process would.
    static func makeTrainer(directory: URL, steps: Int = 6, accumulation: Int = 2, dropout: Float = 0.1,
                            checkpointEvery: Int = 2, group: any ProcessGroup = SingleProcess(),
                            schedule: Recipe.TrainingSection.ScheduleKind = .cosine) throws -> Trainer<LanguageModelTask> {
        let tokenizer = CharacterTokenizer(alphabet: TrainingFixtures.alphabet)
        let lines = TrainingFixtures.englishLines
        let train = LanguageModelTask.tokens(of: Array(lines.dropLast(2)), tokenizer: tokenizer)
        let valid = LanguageModelTask.tokens(of: Array(lines.suffix(2)), tokenizer: tokenizer)
        let model = GPT(TrainingFixtures.tinyConfig(vocabSize: tokenizer.vocabularySize, dropout: dropout), seed: 5)
        let task = try LanguageModelTask(model: model, trainTokens: train, validationTokens: valid, labelSmoothing: 0.1, evaluationRows: 4)
        var t = Recipe.TrainingSection(steps: steps, batchTokens: 128)
        t.learningRate = 3e-3
        t.warmup = 2
        t.weightDecay = 0.1
        t.accumulation = accumulation
        t.schedule = schedule
        var settings = TrainingSettings(steps: steps, batchTokens: 128, directory: directory)
        settings.accumulation = accumulation
        settings.seed = 11
        settings.evaluationEvery = 2
        settings.evaluationBatches = 2
        settings.checkpointEvery = checkpointEvery
        settings.progress = .silent
        settings.processGroup = group
        return try Trainer(task: task, optimizers: t.makeOptimizers(parameters: model.parameters),
                           schedule: t.makeSchedule(dModel: 32, totalSteps: steps), settings: settings)
    }

    static func weights(_ trainer: Trainer<LanguageModelTask>) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: trainer.task.model.namedParameters.map { ($0.name, $0.tensor.scalars.map(\.bitPattern)) })
    }

    /// Stopping after 3 steps, then resuming with fresh objects for 3 more, takes
    /// exactly the steps of an uninterrupted 6-step run: the same losses and weights, bit for bit
    /// (dropout, gradient accumulation, AdamW with two groups, clipping and evaluation all on).
    @Test func resumeEqualsAnUninterruptedRun() throws {
        let whole = try TrainingFixtures.temporaryDirectory("whole"), split = try TrainingFixtures.temporaryDirectory("split")
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: split) }

        let uninterrupted = try Self.makeTrainer(directory: whole)
        let whole6 = try uninterrupted.run()
        let all = whole6.losses

        let first = try Self.makeTrainer(directory: split)
        let before = try first.run(stopAfter: 3)
        #expect(before.steps == 3)
        let resumed = try Self.makeTrainer(directory: split)
        let after = try resumed.run(resume: true)

        #expect(all.count == 6)
        #expect(before.losses + after.losses == all, "\(before.losses + after.losses) vs \(all)")
        #expect(Self.weights(resumed) == Self.weights(uninterrupted))
        #expect(after.validation == whole6.validation && after.validation["val_loss"] != nil)
        #expect(whole6.resumedAt == [] && before.resumedAt == [] && after.resumedAt == [3])
        #expect(try Checkpoint(contentsOf: split.appendingPathComponent(Checkpoint.fileName)).resumedAt == [3])

        // The resumed log reads as one run: steps 1...6 once each, the same losses.
        let log = try TrainingLog.read(split.appendingPathComponent(TrainingLog.fileName))
        #expect(log.map(\.step) == Array(1...6))
        #expect(log.map(\.loss) == all)
        #expect(log.filter { !$0.validation.isEmpty }.map(\.step) == [2, 4, 6])
        func withoutTimes(_ dir: URL) throws -> String {
            try String(contentsOf: dir.appendingPathComponent(TrainingLog.fileName), encoding: .utf8)
                .replacingOccurrences(of: #""tokens_per_s":[0-9.e+-]+,"elapsed_s":[0-9.e+-]+"#, with: "", options: .regularExpression)
        }
        #expect(try withoutTimes(split) == (try withoutTimes(whole)), "the logs differ only in timings")
        let plot = try String(contentsOf: split.appendingPathComponent(LossPlot.fileName), encoding: .utf8)
        #expect(plot.hasPrefix("<svg") && plot.contains("validation loss") && plot.contains("polyline"))
    }

    /// The inverse-sqrt schedule does not depend on the run's length, so a finished 3-step run
    /// resumed with 6 steps is the 6-step run bit for bit: how a recipe's `steps` can be raised
    /// after the fact without retraining what is already trained.
    @Test func extendingAFinishedInverseSqrtRunEqualsTheLongerRun() throws {
        let whole = try TrainingFixtures.temporaryDirectory("long"), split = try TrainingFixtures.temporaryDirectory("extended")
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: split) }

        let long = try Self.makeTrainer(directory: whole, steps: 6, schedule: .inverseSqrt)
        let all = try long.run().losses
        let short = try Self.makeTrainer(directory: split, steps: 3, schedule: .inverseSqrt)
        let first = try short.run().losses
        let extended = try Self.makeTrainer(directory: split, steps: 6, schedule: .inverseSqrt)
        let rest = try extended.run(resume: true).losses

        #expect(all.count == 6 && first.count == 3)
        #expect(first + rest == all, "\(first + rest) vs \(all)")
        #expect(Self.weights(extended) == Self.weights(long))
    }

    @Test func resumeWithoutACheckpointIsAClearError() throws {
        let dir = try TrainingFixtures.temporaryDirectory("none")
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = TrainingFixtures.errorMessage { try Self.makeTrainer(directory: dir).run(resume: true) }
        #expect(m == "\(dir.path)/checkpoint.safetensors: no checkpoint to resume from (run without --resume to start)")
    }

    /// A crash while a checkpoint is written leaves the previous one whole: the writer's temporary
    /// file dies half-written (and a stale one from a killed process lies around), yet the
    /// checkpoint loads at its step and training resumes from it.
    @Test func crashWhileCheckpointingKeepsThePreviousCheckpoint() throws {
        let dir = try TrainingFixtures.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trainer = try Self.makeTrainer(directory: dir)
        try trainer.run(stopAfter: 2)
        let path = trainer.checkpointURL.path
        let saved = try Checkpoint(contentsOf: trainer.checkpointURL)
        #expect(saved.step == 2)

        // Step 4's checkpoint dies after its first kilobyte.
        struct SimulatedCrash: Error {}
        let tensors = trainer.task.model.namedParameters.map { ("model.\($0.name)", $0.tensor) }
        #expect(throws: SimulatedCrash.self) {
            try SafetensorsFile.write(tensors, to: path, dtype: .f32, metadata: ["format": Checkpoint.format, "step": "4"]) { written in
                if written > 1024 { throw SimulatedCrash() }
            }
        }
        // A killed process leaves its temporary file behind.
        try Data(repeating: 0x41, count: 4096).write(to: dir.appendingPathComponent(".checkpoint.safetensors.tmp-99999-deadbeef"))

        let reloaded = try Checkpoint(contentsOf: trainer.checkpointURL)
        #expect(reloaded.step == 2 && reloaded.weights.keys.sorted() == saved.weights.keys.sorted())
        let resumed = try Self.makeTrainer(directory: dir)
        let summary = try resumed.run(resume: true)
        #expect(summary.steps == 6 && summary.losses.count == 4)
    }

    @Test func truncatedCheckpointIsAClearError() throws {
        let dir = try TrainingFixtures.temporaryDirectory("truncated")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trainer = try Self.makeTrainer(directory: dir)
        try trainer.run(stopAfter: 2)
        let data = try Data(contentsOf: trainer.checkpointURL)
        try data.prefix(data.count / 2).write(to: trainer.checkpointURL)
        let m = TrainingFixtures.errorMessage { try Self.makeTrainer(directory: dir).run(resume: true) }
        #expect(m.hasPrefix("\(trainer.checkpointURL.path): not a usable checkpoint:"), "\(m)")
    }

    @Test func keepRetainsTheNewestCheckpoints() throws {
        let dir = try TrainingFixtures.temporaryDirectory("keep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trainer = try Self.makeTrainer(directory: dir, steps: 6, checkpointEvery: 1)
        var settings = trainer.settings
        settings.keepCheckpoints = 3
        let keeping = try Trainer(task: trainer.task, optimizers: trainer.optimizers, schedule: trainer.schedule, settings: settings)
        try keeping.run()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("checkpoint") }.sorted()
        #expect(names == ["checkpoint-0000004.safetensors", "checkpoint-0000005.safetensors", "checkpoint.safetensors"])
        #expect(try Checkpoint(contentsOf: dir.appendingPathComponent("checkpoint-0000005.safetensors")).step == 5)
        #expect(try Checkpoint(contentsOf: keeping.checkpointURL).step == 6)
    }

    /// A task whose loss turns NaN at its third step.
    final class PoisonedTask: TrainingTask {
        let model: Linear
        var calls = 0
        init() {
            var g = RandomGenerator(seed: 1)
            model = Linear(4, 1, generator: &g)
        }
        func makeBatch(tokens: Int, generator: inout RandomGenerator) -> [Float] { (0..<4).map { _ in generator.nextFloat() } }
        func tokenCount(of batch: [Float]) -> Int { 1 }
        func loss(on batch: [Float]) -> Tensor {
            calls += 1
            let y = model(Tensor(batch, shape: [1, 4])).squared().mean()
            return calls == 3 ? y * Float.nan : y
        }
        func evaluate(batches: Int) -> [String: Double] { [:] }
    }

    @Test func nonFiniteLossStopsWithTheStepAndKeepsTheLastCheckpoint() throws {
        let dir = try TrainingFixtures.temporaryDirectory("nan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let task = PoisonedTask()
        var settings = TrainingSettings(steps: 10, batchTokens: 1, directory: dir)
        settings.checkpointEvery = 2
        settings.progress = .silent
        let trainer = try Trainer(task: task, optimizers: [Adam(parameters: task.model.parameters)],
                                  schedule: ConstantSchedule(value: 0.01), settings: settings)
        let path = trainer.checkpointURL.path
        let m = TrainingFixtures.errorMessage { try trainer.run() }
        #expect(m == "training stopped at step 3: the loss is nan; the last checkpoint is kept at \(path) (lower the learning rate, then --resume)")
        #expect(trainer.step == 2)
        #expect(try Checkpoint(contentsOf: trainer.checkpointURL).step == 2)
    }

    @Test func lossPlotHasAxesTicksAndBothCurves() {
        let records = (1...300).map { s in
            TrainingRecord(step: s, loss: 5 / Double(s).squareRoot(), learningRate: 1e-3, tokensPerSecond: 1000, elapsed: Double(s),
                           validation: s % 100 == 0 ? ["val_loss": 6 / Double(s).squareRoot()] : [:])
        }
        let svg = LossPlot.svg(records, title: "demo <run>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("demo &lt;run&gt;"))
        #expect(svg.contains(">step</text>") && svg.contains(">loss</text>"))
        #expect(svg.contains(">300</text>") && svg.contains(">100</text>"), "x ticks")
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3, "three validation points")
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 3, "axes, training and validation curves")
        #expect(LossPlot.ticks(0.27, 5.0, count: 6) == [0, 1, 2, 3, 4, 5])
    }

    @Test func logLinesRoundTrip() throws {
        let r = TrainingRecord(step: 7, loss: 2.5, learningRate: 1e-3, tokensPerSecond: 1234.4, elapsed: 1.23456,
                               validation: ["val_loss": 2.75, "val_ppl": 15.6])
        #expect(r.jsonLine == "{\"step\":7,\"loss\":2.5,\"lr\":0.001,\"tokens_per_s\":1234.0,\"elapsed_s\":1.235,\"val_loss\":2.75,\"val_ppl\":15.6}")
        let back = TrainingRecord(jsonLine: Substring(r.jsonLine))
        #expect(back?.step == 7 && back?.loss == 2.5 && back?.validation == ["val_loss": 2.75, "val_ppl": 15.6])
    }
}
