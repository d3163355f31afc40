import Foundation
import Training

/// Ranks of a data-parallel run as threads of one process, for tests: the collectives exchange
/// through shared memory and sum in rank order, so every rank gets the same bits, as from MPI.
public final class LocalProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let exchange: Exchange

    /// `size` groups, one per rank, sharing one exchange.
    public static func world(size: Int) -> [LocalProcessGroup] {
        let exchange = Exchange(size: size)
        return (0..<size).map { LocalProcessGroup(rank: $0, size: size, exchange: exchange) }
    }

    private init(rank: Int, size: Int, exchange: Exchange) {
        self.rank = rank
        self.size = size
        self.exchange = exchange
    }

    /// Runs `body(group)` for every group on its own thread and returns their results in rank
    /// order, rethrowing the first rank's error.
    public static func run<T>(_ groups: [LocalProcessGroup], _ body: @escaping (LocalProcessGroup) throws -> T) throws -> [T] {
        let results = UnsafeMutablePointer<Result<T, any Error>?>.allocate(capacity: groups.count)
        results.initialize(repeating: nil, count: groups.count)
        defer { results.deinitialize(count: groups.count); results.deallocate() }
        nonisolated(unsafe) let out = results
        let done = DispatchGroup()
        for (i, group) in groups.enumerated() {
            done.enter()
            let thread = Thread {
                out[i] = Result { try body(group) }
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try (0..<groups.count).map { try out[$0]!.get() }
    }

    /// Every rank's bytes, in rank order, once all ranks have given theirs.
    final class Exchange: @unchecked Sendable {
        let size: Int
        private let condition = NSCondition()
        private var slots: [[UInt8]]
        private var published: [[UInt8]] = []
        private var arrived = 0
        private var generation = 0

        init(size: Int) {
            self.size = size
            slots = Array(repeating: [], count: size)
        }

        func all(_ rank: Int, _ bytes: [UInt8]) -> [[UInt8]] {
            condition.lock()
            defer { condition.unlock() }
            let mine = generation
            slots[rank] = bytes
            arrived += 1
            if arrived == size {
                published = slots
                arrived = 0
                generation += 1
                condition.broadcast()
            } else {
                while generation == mine { condition.wait() }
            }
            return published
        }
    }

    private func sum<T: FloatingPoint>(_ values: UnsafeMutableBufferPointer<T>) {
        let all = exchange.all(rank, Array(UnsafeRawBufferPointer(values)))
        for i in values.indices { values[i] = 0 }
        for bytes in all {
            bytes.withUnsafeBytes { raw in
                let theirs = raw.bindMemory(to: T.self)
                for i in values.indices { values[i] += theirs[i] }
            }
        }
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) { sum(values) }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) { sum(values) }

    public func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingCollective {
        sum(values)
        starts.append(values.count)
        return SingleProcess().startAllReduceSum(values)
    }

    /// The sizes of the non-blocking sums started, in order (what the bucketing did).
    public private(set) var starts: [Int] = []

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        let all = exchange.all(rank, Array(UnsafeRawBufferPointer(bytes)))
        all[root].withUnsafeBytes { bytes.copyMemory(from: $0) }
    }
}
