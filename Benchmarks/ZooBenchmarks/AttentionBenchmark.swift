import Tensors

/// Fused causal attention alone, forward and backward, at the `train-gpt-char` shape (batch 8,
/// T = 256, 6 heads of 64, reading a packed QKV tensor): the part of a GPT layer that is not one
/// large GEMM. Reported per layer, and as GFLOP/s over the products a causal kernel must do
/// (half of QKᵀ, P·V and their four gradient products).
public enum AttentionBenchmark {
    public static var causal: BenchmarkCase {
        BenchmarkCase(name: "attention-causal", summary: "causal attention forward + backward, B=8, T=256, 6 heads × 64: ms per layer") {
            let b = 8, t = 256, heads = 6, dk = 64, d = heads * dk
            var g = RandomGenerator(seed: 5)
            let qkv = Tensor.randn([b, t, 3 * d], generator: &g, requiresGrad: true)
            let upstream = Tensor.randn([b, t, d], generator: &g)
            func layer() {
                let out = Tensor.attention(q: qkv, k: qkv, kOffset: d, v: qkv, vOffset: 2 * d, heads: heads, headDim: dk,
                                           mask: AttentionMask(causal: true))
                qkv.grad = nil
                out.backward(upstream)
            }
            for _ in 0..<3 { layer() }
            let ms = median((0..<15).map { _ in timeSeconds { layer() } }) * 1000
            // 2 forward and 4 backward products of B·heads·(T²/2)·d_k multiply-adds each.
            let flops = 6 * 2 * Double(b * heads) * Double(t * t) / 2 * Double(dk)
            return [Figure(name: "attention-causal", value: ms, unit: "ms"),
                    Figure(name: "attention-causal-rate", value: flops / (ms / 1000) / 1e9, unit: "GFLOP/s")]
        }
    }
}
