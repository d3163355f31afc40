import Foundation
@testable import Layers
@testable import Training
import Tasks
import TestSupport
import Testing
import Tensors

/// The export's checkpoint average: every candidate is the mean of the last k checkpoints and is
/// scored on validation; the best one (here by validation loss) becomes the model.
@Suite struct CheckpointAverageChoiceTests {
    /// A finished 6-step run keeping its last `keep` checkpoints (one per step).
    static func finishedRun(_ name: String, keep: Int) throws -> (Trainer<LanguageModelTask>, TrainingSummary, URL) {
        let dir = try TrainingFixtures.temporaryDirectory(name)
        let base = try TrainingLoopTests.makeTrainer(directory: dir, steps: 6, checkpointEvery: 1)
        var settings = base.settings
        settings.keepCheckpoints = keep
        let trainer = try Trainer(task: base.task, optimizers: base.optimizers, schedule: base.schedule, settings: settings)
        return (trainer, try trainer.run(), dir)
    }

    /// The mean of the model tensors of `paths`, summed in Double.
    static func mean(_ paths: [URL], names: [String]) throws -> [String: Tensor] {
        let files = try paths.map { try SafetensorsFile(path: $0.path) }
        var out: [String: Tensor] = [:]
        for name in names {
            let tensors = try files.map { try $0.tensor("model." + name) }
            let m = Tensor(zeros: tensors[0].shape)
            for i in 0..<m.count { m.data[i] = Float(tensors.reduce(0.0) { $0 + Double($1.data[i]) } / Double(tensors.count)) }
            out[name] = m
        }
        return out
    }

    @Test func theBestMeanOnValidationBecomesTheModel() throws {
        let (trainer, summary, dir) = try Self.finishedRun("average-choice", keep: 4)
        defer { try? FileManager.default.removeItem(at: dir) }
        let kept = Checkpoint.kept(in: dir)
        #expect(kept.map(\.step) == [6, 5, 4, 3])
        let model = trainer.task.model
        let names = model.namedTensors.map(\.name)

        let choice = try trainer.averageLastCheckpoints(upTo: 4, validation: summary.validation)
        // A language model has no score: the lowest validation loss wins.
        #expect(choice.metric == "val_loss")
        #expect(choice.scores.count == 4 && choice.scores[0] == summary.validation["val_loss"])
        #expect(choice.scores[choice.count - 1] == choice.scores.min()!)
        #expect(choice.steps == Array([6, 5, 4, 3].prefix(choice.count)))

        // Each candidate's score is its own mean's validation loss.
        let scratch = try TrainingLoopTests.makeTrainer(directory: dir.appendingPathComponent("scratch"))
        for k in 2...4 {
            try scratch.task.model.load(try Self.mean(kept.prefix(k).map(\.url), names: names))
            let loss = try #require(scratch.evaluate()["val_loss"])
            #expect(abs(loss - choice.scores[k - 1]) < 1e-5 * max(1, abs(loss)), "k \(k): \(loss) vs \(choice.scores[k - 1])")
        }
        // The model now holds the chosen mean, and evaluates as the choice says.
        let expected = try Self.mean(kept.prefix(choice.count).map(\.url), names: names)
        for (name, tensor) in model.namedTensors {
            let want = expected[name]!
            let worst = (0..<tensor.count).map { abs(tensor.data[$0] - want.data[$0]) }.max() ?? 0
            #expect(worst < 1e-6, "\(name): \(worst)")
        }
        #expect(trainer.evaluate() == choice.validation)
        #expect(choice.summary.contains("chosen on validation loss among the last 1–4: "))
    }

    /// A run that kept fewer checkpoints than asked for chooses among those it has; one whose
    /// newest checkpoint is not its last step has nothing to average and says so in one line.
    @Test func aShortRunChoosesAmongWhatItKept() throws {
        let (trainer, summary, dir) = try Self.finishedRun("average-few", keep: 2)
        defer { try? FileManager.default.removeItem(at: dir) }
        let choice = try trainer.averageLastCheckpoints(upTo: 3, validation: summary.validation)
        #expect(choice.scores.count == 2 && choice.steps == Array([6, 5].prefix(choice.count)))
        #expect(choice.summary.contains("among the last 1–2: "))

        try FileManager.default.removeItem(at: trainer.checkpointURL)
        let before = TrainingLoopTests.weights(trainer)
        let m = TrainingFixtures.errorMessage { _ = try trainer.averageLastCheckpoints(upTo: 3, validation: summary.validation) }
        #expect(m == "\(dir.path): the newest checkpoint is not of the run's last step (6), so there is nothing to average")
        #expect(TrainingLoopTests.weights(trainer) == before, "the model is left as it was")
    }

    @Test func summaryNamesTheStepsAndScores() throws {
        let choice = CheckpointAverageChoice(metric: "val_bleu", scores: [17.98, 18.4, 18.62], count: 3, steps: [2400, 2200, 2000],
                                             validation: [:])
        #expect(choice.summary == "the mean of the last 3 checkpoints (steps 2000–2400), chosen on validation BLEU among the last 1–3: 17.98, 18.40, 18.62")
        let f1 = try #require(CheckpointAverageChoice.selectionMetric(["val_loss": 1, "val_f1": 90]))
        #expect(f1.name == "val_f1" && f1.higherIsBetter)
        #expect(CheckpointAverageChoice.selectionMetric(["val_ppl": 3]) == nil)
    }
}
