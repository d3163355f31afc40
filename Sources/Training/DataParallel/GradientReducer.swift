import Tensors

/// Sums the parameters' gradients over the ranks during the backward pass, as PyTorch's
/// DistributedDataParallel does: the parameters are grouped into buckets of about `bucketBytes`
/// in reverse order (the order the backward pass finishes them), and a bucket's all-reduce starts
/// as soon as all of its gradients are complete, while the pass goes on with the earlier layers.
/// Buckets start in the same order on every rank (a bucket waits for those before it), as MPI
/// requires; `finish()` starts the rest (parameters that got no gradient count as zero), waits,
/// and writes the sums back into the gradients.
public final class GradientReducer {
    public let group: any ProcessGroup
    /// Each bucket's parameter indices (into `parameters`) and its flat buffer.
    public private(set) var buckets: [[Int]] = []
    private let parameters: [Tensor]
    private var offsets: [Int] = []     // of each parameter in its bucket's buffer
    private var bucketOf: [ObjectIdentifier: Int] = [:]
    private var buffers: [UnsafeMutableBufferPointer<Float>] = []
    private var waiting: [Int] = []     // per bucket: gradients not yet complete
    private var nextToStart = 0
    private var pending: [any PendingCollective] = []

    public init(parameters: [Tensor], group: any ProcessGroup, bucketBytes: Int = 1 << 20) {
        var seen = Set<ObjectIdentifier>()
        self.parameters = parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
        self.group = group
        offsets = [Int](repeating: 0, count: self.parameters.count)
        let limit = max(1, bucketBytes / MemoryLayout<Float>.stride)
        var current: [Int] = [], filled = 0
        for i in self.parameters.indices.reversed() {
            let n = self.parameters[i].count
            if !current.isEmpty && filled + n > limit {
                buckets.append(current)
                current = []
                filled = 0
            }
            offsets[i] = filled
            current.append(i)
            filled += n
        }
        if !current.isEmpty { buckets.append(current) }
        for (b, members) in buckets.enumerated() {
            for i in members { bucketOf[ObjectIdentifier(self.parameters[i])] = b }
            let count = members.reduce(0) { $0 + self.parameters[$1].count }
            buffers.append(UnsafeMutableBufferPointer<Float>.allocate(capacity: count))
        }
        reset()
    }

    deinit { for b in buffers { b.deallocate() } }

    private func reset() {
        waiting = buckets.map(\.count)
        nextToStart = 0
        pending = []
    }

    /// Told by the backward pass (`Tensor.backward(leafDone:)`) that `leaf`'s gradient is complete.
    public func gradientDone(_ leaf: Tensor) throws {
        guard let b = bucketOf[ObjectIdentifier(leaf)] else { return }
        waiting[b] -= 1
        while nextToStart < buckets.count && waiting[nextToStart] == 0 { try start(nextToStart) }
        // Asking lets MPI move the started ones along while this rank computes.
        for p in pending { _ = try p.isFinished() }
    }

    /// Starts what has not started, waits for every bucket, and leaves each parameter's gradient
    /// holding the sum over the ranks (a parameter without one gets one).
    public func finish() throws {
        while nextToStart < buckets.count { try start(nextToStart) }
        for p in pending { try p.wait() }
        for (b, members) in buckets.enumerated() {
            let buffer = buffers[b]
            for i in members {
                let p = parameters[i]
                let sum = UnsafeBufferPointer(rebasing: buffer[offsets[i]..<(offsets[i] + p.count)])
                if let g = p.grad {
                    g.data.update(from: sum.baseAddress!, count: p.count)
                } else {
                    let g = Tensor(uninitialized: p.shape)
                    g.data.update(from: sum.baseAddress!, count: p.count)
                    p.grad = g
                }
            }
        }
        reset()
    }

    private func start(_ b: Int) throws {
        let buffer = buffers[b]
        for i in buckets[b] {
            let p = parameters[i], to = buffer.baseAddress! + offsets[i]
            if let g = p.grad {
                to.update(from: g.data, count: p.count)
            } else {
                to.initialize(repeating: 0, count: p.count)
            }
        }
        pending.append(try group.startAllReduceSum(buffer))
        nextToStart = b + 1
    }
}
