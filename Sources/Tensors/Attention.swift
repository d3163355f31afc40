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
        // Causal attention runs in blocks of query rows, each against only the keys its last row
        // can see: the fully masked upper triangle of QKᵀ, P and their gradients is never computed
        // (nor read: probability rows are valid only up to their block's key end).
        let blocks = QueryBlocks(queries: tq, keys: tk, shift: shift, causal: causal)
        Parallel.forRows(b * heads, rowCost: tq * tk * dk * 4) { bh in
            let bi = bh / heads, h = bh % heads
            let qh = qp + bi * tq * ldq + qOffset + h * dk
            let kh = kp + bi * kcap * ldk + kOffset + h * dk
            let vh = vp + bi * kcap * ldv + vOffset + h * dk
            let oh = op + bi * tq * d + h * dk
            let p = pp + bh * tq * tk
            // Kᵀ, so Q·Kᵀ reads rows; a few queries (a decoding step) take dot products instead,
            // as the transpose would cost more than the product.
            let kt = tq >= 4 ? transposedHead(kh, ld: ldk, keys: tk, dk: dk) : nil
            defer { kt?.deallocate() }
            for blk in 0..<blocks.count {
                let (r0, r1, ke) = blocks[blk]
                guard ke > 0 else {  // every key is masked for these queries: output 0
                    for i in r0..<r1 { (oh + i * d).update(repeating: 0, count: dk) }
                    continue
                }
                if let kt {
                    smallGEMM(m: r1 - r0, n: ke, k: dk, alpha: scale, qh + r0 * ldq, aRow: ldq, aCol: 1, kt, ldb: tk, beta: 0, p + r0 * tk, ldc: tk)
                } else {
                    gemm(transposeB: true, m: r1 - r0, n: ke, k: dk, alpha: scale, qh + r0 * ldq, lda: ldq, kh, ldb: ldk, p + r0 * tk, ldc: tk)
                }
                for i in r0..<r1 {
                    let row = p + i * tk
                    let visible = causal ? Swift.min(ke, i + shift + 1) : ke
                    if let padding {
                        for j in 0..<visible where padding[bi * tk + j] { row[j] = -.infinity }
                    }
                    if visible <= 0 || vmax(row, visible) == -.infinity {
                        row.update(repeating: 0, count: ke)
                    } else {
                        softmaxRow(row, row, visible)
                        for j in visible..<ke { row[j] = 0 }
                    }
                }
                smallGEMM(m: r1 - r0, n: dk, k: ke, p + r0 * tk, aRow: tk, aCol: 1, vh, ldb: ldv, beta: 0, oh + r0 * d, ldc: d)
            }
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
                let dqh = dq.map { $0 + bi * tq * ldq + qOffset + h * dk }
                let dkh = dkp.map { $0 + bi * kcap * ldk + kOffset + h * dk }
                let dvh = dv.map { $0 + bi * kcap * ldv + vOffset + h * dk }
                // dS for one block of query rows.
                let ds = UnsafeMutablePointer<Float>.allocate(capacity: blocks.size * tk)
                let vt = transposedHead(vh, ld: ldv, keys: tk, dk: dk)  // Vᵀ, so dO·Vᵀ reads rows
                defer { ds.deallocate(); vt.deallocate() }
                for blk in 0..<blocks.count {
                    let (r0, r1, ke) = blocks[blk]
                    guard ke > 0 else { continue }  // output 0 whatever the inputs
                    let m = r1 - r0
                    if let dvh {  // dV = Pᵀ dO
                        smallGEMM(m: ke, n: dk, k: m, p + r0 * tk, aRow: 1, aCol: tk, go + r0 * d, ldb: d, beta: 1, dvh, ldc: ldv)
                    }
                    guard dqh != nil || dkh != nil else { continue }
                    // dP = dO Vᵀ, then dS = softmax' · scale.
                    smallGEMM(m: m, n: ke, k: dk, go + r0 * d, aRow: d, aCol: 1, vt, ldb: tk, beta: 0, ds, ldc: tk)
                    for i in 0..<m { softmaxBackwardRow(p + (r0 + i) * tk, ds + i * tk, ds + i * tk, ke, scale: scale) }
                    if let dqh {  // dQ = dS K
                        smallGEMM(m: m, n: dk, k: ke, ds, aRow: tk, aCol: 1, kh, ldb: ldk, beta: 1, dqh + r0 * ldq, ldc: ldq)
                    }
                    if let dkh {  // dK = dSᵀ Q
                        smallGEMM(m: ke, n: dk, k: m, ds, aRow: 1, aCol: tk, qh + r0 * ldq, ldb: ldq, beta: 1, dkh, ldc: ldk)
                    }
                }
            }
            return grads
        }
    }
}

/// One head's keys (or values) transposed, [dk, keys], freshly allocated: row e holds column e of
/// every key.
private func transposedHead(_ src: UnsafePointer<Float>, ld: Int, keys: Int, dk: Int) -> UnsafeMutablePointer<Float> {
    let t = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, dk * keys))
    // Eight keys at a time: their rows stay in L1 while each of the dk output rows gets 8 floats.
    var j0 = 0
    while j0 < keys {
        let j1 = Swift.min(keys, j0 &+ 8)
        for e in 0..<dk {
            let out = t + (e &* keys)
            for j in j0..<j1 { out[j] = src[j &* ld &+ e] }
        }
        j0 = j1
    }
    return t
}

/// Query rows split into blocks for causal attention, each with the number of keys its rows may
/// see (the last row's horizon); one block of every query and key when not causal.
struct QueryBlocks {
    /// Rows per block: small enough that the skipped triangle is most of the masked half, large
    /// enough that each block's products still run at GEMM speed (32 beat 16, 64 and 128 on the
    /// GPT benchmark's T = 256, d_k = 64: 20 vs 21.5 and 25.6 ms per layer forward and backward).
    static let causalRows = 32
    let queries: Int, keys: Int, shift: Int, size: Int
    init(queries: Int, keys: Int, shift: Int, causal: Bool) {
        self.queries = queries
        self.keys = keys
        self.shift = shift
        size = causal ? Swift.min(Self.causalRows, Swift.max(queries, 1)) : Swift.max(queries, 1)
    }
    var count: Int { (queries + size - 1) / size }
    /// Rows r0..<r1 and their key end: query i sees keys 0...i + shift (all of them when not causal).
    subscript(i: Int) -> (Int, Int, Int) {
        let r0 = i * size, r1 = Swift.min(queries, r0 + size)
        return (r0, r1, Swift.max(0, Swift.min(keys, r1 + shift)))
    }
}
