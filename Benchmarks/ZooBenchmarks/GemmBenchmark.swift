import Tensors

/// Single-precision GEMM throughput, n×n times n×n, through the Tensors API (`Tensor.matmul`,
/// gradients off) and through plain `cblas_sgemm` with OpenBLAS's own threads on preallocated buffers.
/// The ratio API/raw shows what the tensor layer costs on top of OpenBLAS (target: ≥ 95%).
///
/// The API splits a product across cores itself (OpenBLAS single-threaded per part); raw lets
/// OpenBLAS thread it. GFLOP/s figures are the best round of each side, after a few warm-up
/// calls; the ratio is raw's best time over the API's.
public enum GemmBenchmark {
    /// The matrix sizes measured, with the number of timed rounds for each.
    public static let shapes: [(n: Int, rounds: Int)] = [(1024, 31), (2048, 15)]
    public static let warmUp = 3

    public static var benchmark: BenchmarkCase {
        BenchmarkCase(name: "gemm",
                      summary: "sgemm at n=1024, 2048: Tensor.matmul vs raw cblas_sgemm") {
            try shapes.flatMap { try figures(n: $0.n, rounds: $0.rounds) }
        }
    }

    /// Best GFLOP/s of `Tensor.matmul` and of plain `cblas_sgemm` for n×n matrices, and their ratio.
    public static func measure(n: Int, rounds: Int, warmUp: Int = warmUp) throws -> (api: Double, raw: Double, ratio: Double) {
        var rng = RandomGenerator(seed: 42)
        let a = Tensor.uniform([n, n], -1, 1, generator: &rng)
        let b = Tensor.uniform([n, n], -1, 1, generator: &rng)
        let c = Tensor(zeros: [n, n])
        let flops = 2 * Double(n) * Double(n) * Double(n)

        func raw() { rawBLASSgemm(m: n, n: n, k: n, a.data, b.data, c.data) }
        func api() -> Tensor { withoutGradients { Tensor.matmul(a, b) } }

        for _ in 0..<warmUp {
            raw()
            _ = api()
        }
        // Both paths run the same sgemm, so they must agree; a benchmark of a wrong result is no benchmark.
        let check = api()
        for i in stride(from: 0, to: n * n, by: 997) where abs(check.data[i] - c.data[i]) > 1e-3 * max(1, abs(c.data[i])) {
            throw GemmMismatchError(n: n, index: i, api: check.data[i], raw: c.data[i])
        }

        // The API rounds first, then the raw ones: OpenBLAS's own worker threads keep spinning for
        // a while after a call and would steal a core from an API round run right after.
        let apiTimes = (0..<rounds).map { _ in timeSeconds { _ = api() } }
        let rawTimes = (0..<rounds).map { _ in timeSeconds { raw() } }
        // Best of each side: a neighbour taking a core only ever slows a round down.
        let api = apiTimes.min()!, raw = rawTimes.min()!
        return (flops / api / 1e9, flops / raw / 1e9, raw / api)
    }

    /// `gemm-N` (API), `gemm-N-raw` and `gemm-N-ratio` (API / raw, %).
    public static func figures(n: Int, rounds: Int) throws -> [Figure] {
        let (api, raw, ratio) = try measure(n: n, rounds: rounds)
        return [
            Figure(name: "gemm-\(n)", value: api, unit: "GFLOP/s"),
            Figure(name: "gemm-\(n)-raw", value: raw, unit: "GFLOP/s"),
            Figure(name: "gemm-\(n)-ratio", value: 100 * ratio, unit: "%"),
        ]
    }
}

/// `Tensor.matmul` and raw `gemm` gave different products.
public struct GemmMismatchError: Error, CustomStringConvertible {
    public let n: Int, index: Int
    public let api: Float, raw: Float
    public var description: String {
        "gemm benchmark: Tensor.matmul and raw gemm differ at n=\(n), element \(index): \(api) vs \(raw)"
    }
}
