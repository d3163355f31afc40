import Tensors

/// Temporary probe: GFLOP/s of the GEMM shapes a seq2seq-small step runs.
public enum GemmShapesProbe {
    public static var benchmark: BenchmarkCase {
        BenchmarkCase(name: "gemm-shapes", summary: "probe") {
            var figs: [Figure] = []
            let cases: [(String, Bool, Bool, Int, Int, Int)] = [
                ("logits NT 1024x8000x256", false, true, 1024, 8000, 256),
                ("dlogits-x NN 1024x256x8000", false, false, 1024, 256, 8000),
                ("dW TN 8000x256x1024", true, false, 8000, 256, 1024),
                ("ffn1 NT 1024x1024x256", false, true, 1024, 1024, 256),
                ("ffn2 NT 1024x256x1024", false, true, 1024, 256, 1024),
                ("qkv NT 1024x768x256", false, true, 1024, 768, 256),
                ("dWqkv TN 768x256x1024", true, false, 768, 256, 1024),
                ("attn NT 32x32x64", false, true, 32, 32, 64),
            ]
            for (name, ta, tb, m, n, k) in cases {
                var g = RandomGenerator(seed: 1)
                let a = Tensor.uniform([m * k], -1, 1, generator: &g)
                let b = Tensor.uniform([k * n], -1, 1, generator: &g)
                let c = Tensor(zeros: [m * n])
                let lda = ta ? m : k, ldb = tb ? k : n
                let reps = max(3, Int(2e9 / Double(2 * m * n * k)))
                for _ in 0..<2 { gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a.data, lda: lda, b.data, ldb: ldb, c.data, ldc: n) }
                let t = timeSeconds {
                    for _ in 0..<reps { gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a.data, lda: lda, b.data, ldb: ldb, c.data, ldc: n) }
                }
                figs.append(Figure(name: name, value: Double(2 * m * n * k * reps) / t / 1e9, unit: "GFLOP/s"))
            }
            return figs
        }
    }
}
