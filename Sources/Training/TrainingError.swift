/// Why training stopped or could not start; each message is one line naming the file or step.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss of `step` was NaN or infinite; `checkpoint` is the last good checkpoint, if any.
    case nonFiniteLoss(step: Int, value: Float, checkpoint: String?)
    /// The gradient norm of `step` was NaN or infinite.
    case nonFiniteGradient(step: Int, checkpoint: String?)
    case nothingToResume(path: String)
    /// Stopped by Ctrl-C after `step`, with a checkpoint written.
    case interrupted(step: Int, checkpoint: String)
    case badCheckpoint(path: String, reason: String)
    case unsupportedOptimizer(String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case badData(path: String, reason: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step, let value, let checkpoint):
            return "training stopped at step \(step): the loss is \(value)\(Self.kept(checkpoint))"
        case .nonFiniteGradient(let step, let checkpoint):
            return "training stopped at step \(step): the gradient norm is not finite\(Self.kept(checkpoint))"
        case .interrupted(let step, let checkpoint):
            return "interrupted after step \(step); the checkpoint \(checkpoint) holds it (run again with --resume to continue)"
        case .nothingToResume(let path):
            return "\(path): no checkpoint to resume from (run without --resume to start)"
        case .badCheckpoint(let path, let reason):
            return "\(path): not a usable checkpoint: \(reason)"
        case .unsupportedOptimizer(let what):
            return "cannot checkpoint the optimizer: \(what)"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .cannotRead(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .badData(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    private static func kept(_ checkpoint: String?) -> String {
        checkpoint.map { "; the last checkpoint is kept at \($0) (lower the learning rate, then --resume)" }
            ?? "; no checkpoint was written yet"
    }
}
