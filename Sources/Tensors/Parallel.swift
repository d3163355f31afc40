import Foundation

/// Work split across the machine's cores for element-wise kernels. Below `grain` elements per
/// chunk the dispatch overhead costs more than it saves, so small jobs run inline.
public enum Parallel {
    public static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, in parallel when large.
    @inline(__always)
    public static func forRanges(_ count: Int, grain: Int = 32768, _ body: (Range<Int>) -> Void) {
        let chunks = min(cores, count / grain)
        if chunks <= 1 {
            body(0..<count)
            return
        }
        let per = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Calls `body(i)` for each row `i` in `0..<rows`, rows split across cores when the total
    /// work (`rows * rowCost`) is large.
    @inline(__always)
    public static func forRows(_ rows: Int, rowCost: Int, _ body: (Int) -> Void) {
        let chunks = min(cores, rows, (rows * rowCost) / 32768)
        if chunks <= 1 {
            for r in 0..<rows { body(r) }
            return
        }
        let per = (rows + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(rows, lo + per)
            var r = lo
            while r < hi { body(r); r += 1 }
        }
    }
}
