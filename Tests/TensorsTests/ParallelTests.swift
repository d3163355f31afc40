import Dispatch
import Foundation
import Testing
import Tensors

extension TensorSuite {
    /// `Parallel.perform` on our pool: every index runs exactly once, whether the worker spins,
    /// sleeps, or the pool is taken by another thread or an enclosing job.
    @Suite struct ParallelPool {
        /// Runs `perform(iterations: n)` with each index counting its own slot; returns the counts.
        func counts(_ n: Int, body: (Int) -> Void = { _ in }) -> [Int] {
            var hits = [Int](repeating: 0, count: n)
            hits.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress!
                Parallel.perform(iterations: n) { i in p[i] += 1; body(i) }
            }
            return hits
        }

        @Test func everyIndexRunsOnce() {
            for n in [0, 1, 2, 3, 1000] {
                #expect(counts(n) == [Int](repeating: 1, count: n), "n = \(n)")
            }
        }

        @Test func afterTheWorkerSleepsAJobStillRunsEverything() {
            _ = counts(4)
            Thread.sleep(forTimeInterval: 0.02)  // longer than the worker's spin
            #expect(counts(500) == [Int](repeating: 1, count: 500))
        }

        @Test func nestedJobsRunInline() {
            var inner = [Int](repeating: 0, count: 8 * 8)
            inner.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress!
                #expect(counts(8) { i in Parallel.perform(iterations: 8) { j in p[i * 8 + j] += 1 } } == [Int](repeating: 1, count: 8))
            }
            #expect(inner == [Int](repeating: 1, count: 64))
        }

        @Test func concurrentSubmittersEachGetTheirWholeJob() {
            var ok = [Bool](repeating: false, count: 16)
            ok.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress!
                DispatchQueue.concurrentPerform(iterations: 16) { t in
                    var all = true
                    for _ in 0..<50 { all = all && counts(97) == [Int](repeating: 1, count: 97) }
                    p[t] = all
                }
            }
            #expect(ok.allSatisfy { $0 })
        }

        @Test func splitProductsMatchOneThreadExactly() {
            // The split GEMM runs on the pool; its result must not depend on the thread that ran a
            // part. Inside a pool job the same split runs inline, on one thread: the reference.
            let a = uniform([300, 200], seed: 1), b = uniform([200, 260], seed: 2)
            var oneThread: [Float] = []
            Parallel.perform(iterations: 2) { i in if i == 0 { oneThread = Tensor.matmul(a, b).scalars } }
            #expect(oneThread.count == 300 * 260)
            for _ in 0..<5 { #expect(Tensor.matmul(a, b).scalars == oneThread) }
        }
    }
}
