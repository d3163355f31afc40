/// Why a data-parallel run cannot start or go on.
public enum DataParallelError: Error, CustomStringConvertible, Equatable {
    /// Started by a launcher whose processes cannot join (no Open MPI library, another MPI).
    case cannotJoin(String)
    /// A collective failed (a rank died, the network broke).
    case collectiveFailed(operation: String, reason: String)
    /// The task's batches cannot be split across ranks.
    case taskNotSplittable(String)

    public var description: String {
        switch self {
        case .cannotJoin(let reason): return reason
        case .collectiveFailed(let operation, let reason): return "\(operation) across the ranks failed: \(reason)"
        case .taskNotSplittable(let task): return "\(task) cannot train on several ranks (its batches do not split across processes)"
        }
    }
}
