import ArgumentParser
import Tensors
import ZooBenchmarks

/// `zoo demo`: a short demonstration of the core.
/// Placeholder until the copy-task demo lands: the BLAS kernels in use and a 512×512 matmul.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a short demonstration of the tensor core."
    )

    func run() throws {
        print("OpenBLAS core: \(blasCoreName)")
        let n = 512
        let (gflops, _, _) = try GemmBenchmark.measure(n: n, rounds: 21)
        print("Tensor.matmul \(n)x\(n) · \(n)x\(n): \(String(format: "%.1f", gflops)) GFLOP/s")
    }
}
