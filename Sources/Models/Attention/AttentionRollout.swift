/// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): how
/// much each input token flows into each position through all layers, taking the residual
/// connections into account. Per layer, the heads are averaged and the identity added (the
/// residual path), each row renormalized to sum to 1: Ã = norm(A + I); the rollout is
/// Ã_L · … · Ã_1, [tokens, tokens], row i the share of every input token in position i.
public enum AttentionRollout {
    /// The rollout of self-attention maps (square, one per layer, in layer order).
    public static func rollout(_ layers: [AttentionMap]) -> [Float] {
        guard let n = layers.first?.queries else { return [] }
        var result = identity(n)
        for map in layers {
            precondition(map.queries == n && map.keys == n, "rollout needs square self-attention maps of \(n) tokens")
            var a = map.meanOverHeads
            for i in 0..<n {
                a[i * n + i] += 1
                let sum = a[(i * n)..<((i + 1) * n)].reduce(0, +)
                for j in 0..<n { a[i * n + j] /= sum }
            }
            result = product(a, result, n)  // later layers on the left
        }
        return result
    }

    static func identity(_ n: Int) -> [Float] {
        var m = [Float](repeating: 0, count: n * n)
        for i in 0..<n { m[i * n + i] = 1 }
        return m
    }

    /// a · b for n × n row-major matrices (small: a few hundred tokens at most), in Double.
    static func product(_ a: [Float], _ b: [Float], _ n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += Double(a[i * n + k]) * Double(b[k * n + j]) }
                out[i * n + j] = Float(s)
            }
        }
        return out
    }
}
