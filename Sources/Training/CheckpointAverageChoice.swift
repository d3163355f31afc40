import Foundation
import Layers
import Tensors

/// Which average of a finished run's last checkpoints becomes the model: the mean of the last k
/// kept checkpoints for each k up to a bound, scored on the validation set, the best kept.
/// Vaswani et al. (2017) averaged the last 5 (base) or 20 (big) checkpoints; how many helps
/// depends on the run, so the held-out score decides, never the test set.
public struct CheckpointAverageChoice: Sendable, Equatable {
    /// The validation metric that decided (`val_bleu`, `val_f1`, `val_accuracy`, else `val_loss`).
    public var metric: String
    /// Each candidate's value of `metric`, by how many checkpoints it averages (1: the last alone).
    public var scores: [Double]
    /// How many of the last checkpoints the chosen model averages.
    public var count: Int
    /// The steps of the averaged checkpoints, newest first.
    public var steps: [Int]
    /// The chosen model's validation metrics (`val_…`).
    public var validation: [String: Double]

    /// The metric to choose by among `validation`'s: a score where the task has one, else the loss.
    public static func selectionMetric(_ validation: [String: Double]) -> (name: String, higherIsBetter: Bool)? {
        for name in ["val_bleu", "val_f1", "val_accuracy"] where validation[name] != nil { return (name, true) }
        return validation["val_loss"] != nil ? ("val_loss", false) : nil
    }

    /// For the card: "the last 3 checkpoints (steps 2000–2400), chosen on validation BLEU among
    /// the last 1–5: 17.98, 18.40, 18.62, 18.51, 18.44".
    public var summary: String {
        let what = count == 1 ? "the last checkpoint alone (step \(steps[0]))"
            : "the mean of the last \(count) checkpoints (steps \(steps.last!)–\(steps[0]))"
        let name = metric.hasPrefix("val_") ? String(metric.dropFirst(4)) : metric
        let shown = name == "bleu" ? "BLEU" : name == "f1" ? "F1" : name
        return what + ", chosen on validation \(shown) among the last 1–\(scores.count): "
            + scores.map { String(format: "%.2f", $0) }.joined(separator: ", ")
    }
}

extension Trainer {
    /// Makes the model the best average of the last k ≤ `upTo` kept checkpoints by validation
    /// (see `CheckpointAverageChoice`); a run that kept fewer (a short one) chooses among those.
    /// Call after `run` has reached `settings.steps`, on the rank that writes; `validation` is the
    /// last evaluation's metrics (the run's final weights').
    public func averageLastCheckpoints(upTo bound: Int, validation: [String: Double]) throws -> CheckpointAverageChoice {
        let kept = Checkpoint.kept(in: settings.directory).prefix(bound)
        let directory = settings.directory.path
        guard let latest = kept.first, latest.step == step else {
            throw TrainingError.badData(path: directory, reason: "the newest checkpoint is not of the run's last step (\(step)), so there is nothing to average")
        }
        let final = CheckpointAverageChoice.selectionMetric(validation) == nil ? evaluate() : validation
        guard let (metric, higherIsBetter) = CheckpointAverageChoice.selectionMetric(final) else {
            throw TrainingError.badData(path: directory, reason: "the task reports no validation metric to choose an average by")
        }
        let model = task.model
        let last = model.stateDict.mapValues { $0.copy() }
        var choice = CheckpointAverageChoice(metric: metric, scores: [final[metric]!], count: 1, steps: [latest.step], validation: final)
        var best: [String: Tensor]?
        for k in stride(from: 2, through: kept.count, by: 1) {
            let means = try CheckpointAveraging.average(kept.prefix(k).map(\.url.path), prefix: "model.")
            let mean = Dictionary(uniqueKeysWithValues: means.map { (String($0.key.dropFirst("model.".count)), $0.value) })
            try model.load(mean)
            let metrics = evaluate()
            let value = metrics[metric] ?? (higherIsBetter ? -.infinity : .infinity)
            choice.scores.append(value)
            if higherIsBetter ? value > choice.scores[choice.count - 1] : value < choice.scores[choice.count - 1] {
                choice.count = k
                choice.validation = metrics
                best = mean
            }
        }
        choice.steps = kept.prefix(choice.count).map(\.step)
        try model.load(best ?? last)
        return choice
    }
}
