import Foundation

/// Which keys each query may attend to.
public struct AttentionMask: Sendable {
    /// Query i (at absolute position i + Tk − Tq) sees only keys at positions ≤ its own.
    public var causal: Bool
    /// [B·Tk] flags, true where a key is padding and must not be attended to.
    public var keyPadding: [Bool]?
    public init(causal: Bool = false, keyPadding: [Bool]? = nil) {
        self.causal = causal
        self.keyPadding = keyPadding
    }
    public static let none = AttentionMask()
}

extension Tensor {
    /// Fused multi-head scaled dot-product attention (Vaswani et al. 2017, eq. 1):
    /// softmax(Q Kᵀ / √d_k) V for every head, without materializing per-head copies.
    ///
    /// `q` is [B, Tq, *], `k` and `v` are [B, Tk, *]; head h of Q reads columns
    /// `qOffset + h·d_k ..< qOffset + (h+1)·d_k` (likewise K and V), so a packed QKV projection is
    /// consumed in place through BLAS leading dimensions. The result is [B, Tq, heads·d_k] with
    /// heads concatenated, ready for the output projection. Rows whose keys are all masked give 0.
    /// Key padding flags are indexed [B·keyLength].
    public static func attention(q: Tensor, qOffset: Int = 0, k: Tensor, kOffset: Int = 0, v: Tensor, vOffset: Int = 0,
                                 heads: Int, headDim dk: Int, mask: AttentionMask = .none, keyLength: Int? = nil) -> Tensor {
        // `keyLength` uses only the first keys of each batch item (a KV cache with spare capacity).
        let b = q.shape[0], tq = q.shape[1], kcap = k.shape[1], tk = keyLength ?? k.shape[1]
        let ldq = q.shape[2], ldk = k.shape[2], ldv = v.shape[2]
        let d = heads * dk
        precondition(k.shape[0] == b && v.shape[0] == b && v.shape[1] == kcap && tk <= kcap, "attention: batch or length mismatch \(q.shape) \(k.shape) \(v.shape)")
        precondition(qOffset + d <= ldq && kOffset + d <= ldk && vOffset + d <= ldv, "attention: heads do not fit the inputs")
        if let kp = mask.keyPadding { precondition(kp.count == b * tk, "attention: key padding has \(kp.count) flags for \(b)×\(tk) keys") }
        let scale = 1 / Float(dk).squareRoot()
        let probs = Tensor(uninitialized: [b, heads, tq, tk])
        let out = Tensor(uninitialized: [b, tq, d])
        let qp = q.data, kp = k.data, vp = v.data, pp = probs.data, op = out.data
        let shift = tk - tq
        let padding = mask.keyPadding
        let causal = mask.causal
        Parallel.forRows(b * heads, rowCost: tq * tk * dk * 4) { bh in
            let bi = bh / heads, h = bh % heads
            let qh = qp + bi * tq * ldq + qOffset + h * dk
            let kh = kp + bi * kcap * ldk + kOffset + h * dk
            let vh = vp + bi * kcap * ldv + vOffset + h * dk
            let p = pp + bh * tq * tk
            gemm(transposeB: true, m: tq, n: tk, k: dk, alpha: scale, qh, lda: ldq, kh, ldb: ldk, p, ldc: tk)
            for i in 0..<tq {
                let row = p + i * tk
                var visible = tk
                if causal { visible = Swift.max(0, Swift.min(tk, i + shift + 1)) }
                if let padding {
                    for j in 0..<visible where padding[bi * tk + j] { row[j] = -.infinity }
                }
                for j in visible..<tk { row[j] = -.infinity }
                if visible == 0 || vmax(row, visible) == -.infinity {
                    row.update(repeating: 0, count: tk)
                } else {
                    softmaxRow(row, row, visible)
                    for j in visible..<tk { row[j] = 0 }
                }
            }
            gemm(m: tq, n: dk, k: tk, p, lda: tk, vh, ldb: ldv, op + bi * tq * d + h * dk, ldc: d)
        }
        // Each distinct input once (a packed QKV tensor is q, k and v at once).
        var inputs: [Tensor] = [q]
        if k !== q { inputs.append(k) }
        if v !== q && v !== k { inputs.append(v) }
        return out.recorded(from: inputs) { g in
            let grads = inputs.map { $0.requiresGrad ? Tensor(zeros: $0.shape) : nil }
            func gradOf(_ t: Tensor) -> UnsafeMutablePointer<Float>? { grads[inputs.firstIndex { $0 === t }!]?.data }
            let dq = gradOf(q), dkp = gradOf(k), dv = gradOf(v)
            let gp = g.data, pp = probs.data  // keeps probs alive until the backward
            Parallel.forRows(b * heads, rowCost: tq * tk * dk * 8) { bh in
                let bi = bh / heads, h = bh % heads
                let qh = qp + bi * tq * ldq + qOffset + h * dk
                let kh = kp + bi * kcap * ldk + kOffset + h * dk
                let vh = vp + bi * kcap * ldv + vOffset + h * dk
                let p = pp + bh * tq * tk
                let go = gp + bi * tq * d + h * dk
                if let dv {  // dV = Pᵀ dO
                    gemm(transposeA: true, m: tk, n: dk, k: tq, p, lda: tk, go, ldb: d, beta: 1,
                         dv + bi * kcap * ldv + vOffset + h * dk, ldc: ldv)
                }
                guard dq != nil || dkp != nil else { return }
                // dP = dO Vᵀ, then dS = softmax' · scale, in a scratch matrix.
                let ds = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
                defer { ds.deallocate() }
                gemm(transposeB: true, m: tq, n: tk, k: dk, go, lda: d, vh, ldb: ldv, ds, ldc: tk)
                for i in 0..<tq { softmaxBackwardRow(p + i * tk, ds + i * tk, ds + i * tk, tk, scale: scale) }
                if let dq {  // dQ = dS K
                    gemm(m: tq, n: dk, k: tk, ds, lda: tk, kh, ldb: ldk, beta: 1, dq + bi * tq * ldq + qOffset + h * dk, ldc: ldq)
                }
                if let dkp {  // dK = dSᵀ Q
                    gemm(transposeA: true, m: tk, n: dk, k: tq, ds, lda: tk, qh, ldb: ldq, beta: 1,
                         dkp + bi * kcap * ldk + kOffset + h * dk, ldc: ldk)
                }
            }
            return grads
        }
    }
}
