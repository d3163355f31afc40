/// The processes of a data-parallel run and the collective operations between them. Every rank
/// must call the same collectives in the same order with the same sizes, as MPI requires.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's number, 0 ..< size; rank 0 writes the logs, checkpoints and exports.
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `values` on every rank by their sum over all ranks.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Starts summing `values` over all ranks in place; the buffer must stay alive and untouched
    /// until the returned operation has finished.
    func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> any PendingCollective
    /// Copies rank `root`'s bytes into every other rank's buffer of the same length.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws
}

/// A collective started and not yet known to be finished.
public protocol PendingCollective: AnyObject {
    /// Whether it has finished; asking also lets the library make progress on it.
    func isFinished() throws -> Bool
    func wait() throws
}

extension ProcessGroup {
    public var isPrimary: Bool { rank == 0 }

    /// Rank `root`'s bytes on every rank (their lengths need not be known beforehand).
    public func broadcast(_ bytes: [UInt8], from root: Int) throws -> [UInt8] {
        var length = [UInt64(bytes.count)]
        try length.withUnsafeMutableBytes { b in try broadcast(b, from: root) }
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try out.withUnsafeMutableBytes { b in try broadcast(b, from: root) }
        return out
    }

    /// The sums over all ranks of `values`.
    public func allReduceSum(_ values: [Double]) throws -> [Double] {
        var out = values
        try out.withUnsafeMutableBufferPointer { b in try allReduceSum(b) }
        return out
    }
}

/// One process alone: every collective is the identity.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingCollective { Finished() }
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {}

    final class Finished: PendingCollective {
        func isFinished() -> Bool { true }
        func wait() {}
    }
}
