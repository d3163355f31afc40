import Tensors

/// How fast this machine reads memory on every core the zoo uses: the bound on generation at
/// batch 1, which reads every weight once a token. A sum over 512 MB (far beyond any cache), each
/// core summing its own contiguous chunks with 4 independent 16-lane accumulators.
public final class MemoryBandwidth {
    private let buffer: Tensor
    private let chunks: Int

    public init(bytes: Int = 512 << 20) {
        buffer = Tensor(repeating: 1, shape: [bytes / 4])
        chunks = Parallel.cores * 8
    }

    /// GB/s: the median of `passes` sums over the buffer (after one unmeasured pass).
    public func measure(passes: Int = 5) -> Double {
        let count = buffer.count, per = count / chunks, chunks = chunks, base = buffer.data
        var sums = [Float](repeating: 0, count: chunks)
        let pass = { () -> Double in
            timeSeconds {
                sums.withUnsafeMutableBufferPointer { out in
                    let out = out.baseAddress!
                    Parallel.perform(iterations: chunks) { c in
                        let p = UnsafeRawPointer(base + c * per)
                        var a = SIMD16<Float>(), b = SIMD16<Float>(), d = SIMD16<Float>(), e = SIMD16<Float>()
                        var i = 0
                        while i + 64 <= per {
                            a += p.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
                            b += p.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD16<Float>.self)
                            d += p.loadUnaligned(fromByteOffset: 4 * (i + 32), as: SIMD16<Float>.self)
                            e += p.loadUnaligned(fromByteOffset: 4 * (i + 48), as: SIMD16<Float>.self)
                            i += 64
                        }
                        out[c] = (a + b + d + e).sum()
                    }
                }
            }
        }
        _ = pass()
        let seconds = median((0..<passes).map { _ in pass() })
        precondition(sums.reduce(0, +) > 0, "the sums were not computed")
        return Double(chunks * per * 4) / seconds / 1e9
    }

    public static var benchmark: BenchmarkCase {
        BenchmarkCase(name: "memory-bandwidth", summary: "read bandwidth: a sum over 512 MB on every core (the bound on batch-1 generation)") {
            [Figure(name: "memory-bandwidth", value: MemoryBandwidth().measure(), unit: "GB/s")]
        }
    }
}
