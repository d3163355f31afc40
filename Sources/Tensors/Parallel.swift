import CThreadPool
import Foundation

/// Work split across the machine's cores for GEMMs and element-wise kernels, run on our own pool
/// (`Sources/CThreadPool`): its worker spins between the many short regions of a training step
/// instead of being woken by the kernel each time. Below `grain` elements per chunk the split
/// costs more than it saves, so small jobs run inline.
public enum Parallel {
    public static let cores = Int(zoo_pool_threads())

    /// Calls `body(i)` for each i in `0..<iterations`, on the pool's threads and the caller's, and
    /// returns when all have returned: `DispatchQueue.concurrentPerform` without its wake-up cost.
    /// Each call must write only its own outputs; nested calls run inline.
    public static func perform(iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var job = body
            withUnsafeMutablePointer(to: &job) { p in
                zoo_parallel_for(iterations, UnsafeMutableRawPointer(p)) { ctx, i in
                    ctx!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(i)
                }
            }
        }
    }

    /// Chunks per core for element-wise and row-wise work: claimed one at a time, several small
    /// chunks even out a core that started late or was interrupted.
    static let oversplit = 4

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, in parallel when large.
    @inline(__always)
    public static func forRanges(_ count: Int, grain: Int = 32768, _ body: (Range<Int>) -> Void) {
        let chunks = min(cores * oversplit, count / grain)
        if chunks <= 1 {
            body(0..<count)
            return
        }
        let per = (count + chunks - 1) / chunks
        perform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Calls `body(i)` for each row `i` in `0..<rows`, rows split across cores when the total
    /// work (`rows * rowCost`) is large.
    @inline(__always)
    public static func forRows(_ rows: Int, rowCost: Int, _ body: (Int) -> Void) {
        let chunks = min(cores * oversplit, rows, (rows * rowCost) / 32768)
        if chunks <= 1 {
            for r in 0..<rows { body(r) }
            return
        }
        let per = (rows + chunks - 1) / chunks
        perform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(rows, lo + per)
            var r = lo
            while r < hi { body(r); r += 1 }
        }
    }
}

extension Parallel {
    /// `items.map(transform)` on every core, results in order: for coarse work (encoding documents,
    /// decoding images), in `chunksPerCore` contiguous chunks per core so a slow item does not
    /// hold a core's whole share. When items throw, the error of the first such item is rethrown.
    public static func map<Item, Output, Failure: Error>(_ items: [Item], chunksPerCore: Int = 4,
                                                         _ transform: (Item) throws(Failure) -> Output) throws(Failure) -> [Output] {
        let count = items.count
        guard count > 1 else { return try items.map(transform) }
        let chunks = max(1, min(count, cores * chunksPerCore))
        let results = UnsafeMutablePointer<Result<Output, Failure>?>.allocate(capacity: count)
        results.initialize(repeating: nil, count: count)
        defer { results.deinitialize(count: count); results.deallocate() }
        withoutActuallyEscaping(transform) { transform in
            nonisolated(unsafe) let out = results
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                for i in (count * c / chunks)..<(count * (c + 1) / chunks) {
                    do throws(Failure) { out[i] = .success(try transform(items[i])) } catch { out[i] = .failure(error) }
                }
            }
        }
        var outputs: [Output] = []
        outputs.reserveCapacity(count)
        for i in 0..<count { outputs.append(try results[i]!.get()) }
        return outputs
    }
}
