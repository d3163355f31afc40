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
        fusedAttention(q: q, qOffset: qOffset, k: k, kOffset: kOffset, v: v, vOffset: vOffset, heads: heads, headDim: dk,
                       mask: mask, keyLength: keyLength, wholeWeights: false).output
    }

    /// `attention`, and the attention weights it used: softmax(Q Kᵀ / √d_k) as [B, heads, Tq, Tk]
    /// (PyTorch's `need_weights=True, average_attn_weights=False`), each row summing to 1 over
    /// the keys its query may see and exactly 0 at masked keys (a row whose keys are all masked is
    /// all 0). The weights are no part of the autodiff graph; reading them costs the zero fill of
    /// the keys a causal block skips, nothing more.
    public static func attentionWithWeights(q: Tensor, qOffset: Int = 0, k: Tensor, kOffset: Int = 0, v: Tensor, vOffset: Int = 0,
                                            heads: Int, headDim dk: Int, mask: AttentionMask = .none,
                                            keyLength: Int? = nil) -> (output: Tensor, weights: Tensor) {
        fusedAttention(q: q, qOffset: qOffset, k: k, kOffset: kOffset, v: v, vOffset: vOffset, heads: heads, headDim: dk,
                       mask: mask, keyLength: keyLength, wholeWeights: true)
    }

    /// The kernel behind both: `wholeWeights` writes the probabilities of every key, where the
    /// forward alone leaves the keys beyond a causal block's horizon (never read) unwritten.
    private static func fusedAttention(q: Tensor, qOffset: Int, k: Tensor, kOffset: Int, v: Tensor, vOffset: Int,
                                       heads: Int, headDim dk: Int, mask: AttentionMask, keyLength: Int?,
                                       wholeWeights: Bool) -> (output: Tensor, weights: Tensor) {
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
                if wholeWeights && ke < tk { for i in r0..<r1 { (p + i * tk + ke).update(repeating: 0, count: tk - ke) } }
                guard ke > 0 else {  // every key is masked for these queries: output 0
                    for i in r0..<r1 { (oh + i * d).update(repeating: 0, count: dk) }
                    continue
                }
                // Query r0 + i sees keys up to r0 + i + shift.
                let diagonal = causal ? r0 + shift : nil
                if let kt {
                    smallGEMM(m: r1 - r0, n: ke, k: dk, alpha: scale, qh + r0 * ldq, aRow: ldq, aCol: 1, kt, ldb: tk, beta: 0, p + r0 * tk, ldc: tk,
                              triangle: diagonal.map { .columnsUpTo($0) } ?? .none)
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
                smallGEMM(m: r1 - r0, n: dk, k: ke, p + r0 * tk, aRow: tk, aCol: 1, vh, ldb: ldv, beta: 0, oh + r0 * d, ldc: d,
                          triangle: diagonal.map { .depthUpTo($0) } ?? .none)
            }
        }
        // Each distinct input once (a packed QKV tensor is q, k and v at once).
        var inputs: [Tensor] = [q]
        if k !== q { inputs.append(k) }
        if v !== q && v !== k { inputs.append(v) }
        return (out.recorded(from: inputs) { g in
            // When no two roles share a column of one tensor, each head's products write their
            // gradient slices outright (beta 0 the first time) instead of adding to zeros, and the
            // gradients need no zero fill if those slices tile each input's rows and every key row
            // is in use.
            let roles = [(q, qOffset), (k, kOffset), (v, vOffset)]
            let offsets = inputs.map { t in roles.filter { $0.0 === t }.map(\.1).sorted() }
            let overwrite = offsets.allSatisfy { o in zip(o, o.dropFirst()).allSatisfy { $1 - $0 >= d } }
            let grads = zip(inputs, offsets).map { t, o -> Tensor? in
                guard t.requiresGrad else { return nil }
                let tiled = o.enumerated().allSatisfy { $0.element == $0.offset * d } && o.count * d == t.shape[2]
                let rowsUsed = (t !== k && t !== v) || kcap == tk
                return overwrite && tiled && rowsUsed ? Tensor(uninitialized: t.shape) : Tensor(zeros: t.shape)
            }
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
                // The last block sees every key, so it goes first and overwrites dK and dV (beta 0);
                // earlier blocks add to them. Each block writes its own rows of dQ.
                var first = true
                for blk in (0..<blocks.count).reversed() {
                    let (r0, r1, ke) = blocks[blk]
                    guard ke > 0 else {  // output 0 whatever the inputs
                        if let dqh, overwrite { for i in r0..<r1 { (dqh + i * ldq).update(repeating: 0, count: dk) } }
                        continue
                    }
                    let m = r1 - r0
                    let diagonal = causal ? r0 + shift : nil
                    let depthFrom = diagonal.map { Triangle.depthFrom($0) } ?? .none
                    let kvBeta: Float = first && overwrite ? 0 : 1
                    first = false
                    if let dvh {  // dV = Pᵀ dO
                        smallGEMM(m: ke, n: dk, k: m, p + r0 * tk, aRow: 1, aCol: tk, go + r0 * d, ldb: d, beta: kvBeta, dvh, ldc: ldv,
                                  triangle: depthFrom)
                    }
                    guard dqh != nil || dkh != nil else { continue }
                    // dP = dO Vᵀ, then dS = softmax' · scale over each row's visible keys (0 beyond).
                    smallGEMM(m: m, n: ke, k: dk, go + r0 * d, aRow: d, aCol: 1, vt, ldb: tk, beta: 0, ds, ldc: tk,
                              triangle: diagonal.map { .columnsUpTo($0) } ?? .none)
                    for i in 0..<m {
                        let visible = causal ? Swift.max(0, Swift.min(ke, r0 + i + shift + 1)) : ke
                        let row = ds + i * tk
                        softmaxBackwardRow(p + (r0 + i) * tk, row, row, visible, scale: scale)
                        (row + visible).update(repeating: 0, count: ke - visible)
                    }
                    if let dqh {  // dQ = dS K
                        smallGEMM(m: m, n: dk, k: ke, ds, aRow: tk, aCol: 1, kh, ldb: ldk, beta: overwrite ? 0 : 1, dqh + r0 * ldq, ldc: ldq,
                                  triangle: diagonal.map { .depthUpTo($0) } ?? .none)
                    }
                    if let dkh {  // dK = dSᵀ Q
                        smallGEMM(m: ke, n: dk, k: m, ds, aRow: 1, aCol: tk, qh + r0 * ldq, ldb: ldq, beta: kvBeta, dkh, ldc: ldk,
                                  triangle: depthFrom)
                    }
                }
            }
            return grads
        }, probs)
    }
}

/// One head's keys (or values) transposed, [dk, keys], freshly allocated: row e holds column e of
/// every key.
private func transposedHead(_ src: UnsafePointer<Float>, ld: Int, keys: Int, dk: Int) -> UnsafeMutablePointer<Float> {
    let t = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, dk * keys))
    let wholeKeys = keys & ~15, wholeDims = dk & ~15
    withUnsafeTemporaryAllocation(of: Vec.self, capacity: 16) { r in
        for j0 in stride(from: 0, to: wholeKeys, by: 16) {
            for e0 in stride(from: 0, to: wholeDims, by: 16) {
                for j in 0..<16 { r[j] = load(src + ((j0 &+ j) &* ld &+ e0)) }
                transpose16(r.baseAddress!)
                for e in 0..<16 { store(r[e], t + ((e0 &+ e) &* keys &+ j0)) }
            }
        }
    }
    // Keys and dimensions left over from whole 16×16 blocks.
    for j in 0..<keys {
        for e in (j < wholeKeys ? wholeDims : 0)..<dk { t[e &* keys &+ j] = src[j &* ld &+ e] }
    }
    return t
}

/// Transposes 16 vectors of 16 in place, in four rounds of even/odd interleaving: round s pairs
/// the rows that differ in bit s of their index, and after the fourth a row's index and its lanes'
/// have traded places.
@inline(__always)
private func transpose16(_ r: UnsafeMutablePointer<Vec>) {
    for bit in 0..<4 {
        let step = 1 &<< bit
        for a in 0..<16 where a & step == 0 {
            let x = r[a], y = r[a | step]
            r[a] = Vec(lowHalf: x.evenHalf, highHalf: y.evenHalf)
            r[a | step] = Vec(lowHalf: x.oddHalf, highHalf: y.oddHalf)
        }
    }
}

/// Query rows split into blocks for causal attention, each with the number of keys its rows may
/// see (the last row's horizon); one block of every query and key when not causal.
struct QueryBlocks {
    /// Rows per block. Each block's products skip the keys beyond its last row, and inside the
    /// block `smallGEMM`'s `Triangle` skips the diagonal's masked half a tile of rows at a time, so the
    /// size matters little: 32, 64 and 128 took the same time in `attention-causal` (alternated
    /// runs), 16 and 256 more.
    static let causalRows = 64
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
