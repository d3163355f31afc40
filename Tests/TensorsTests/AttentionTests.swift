import Foundation
import Testing
import Tensors

extension TensorSuite {
    @Suite struct Attention {
        /// softmax(Q Kᵀ/√d_k) V head by head, query by query, in Double. A query whose keys are all
        /// masked gives 0.
        func reference(q: Tensor, qOffset: Int = 0, k: Tensor, kOffset: Int = 0, v: Tensor, vOffset: Int = 0,
                       heads: Int, dk: Int, mask: AttentionMask = .none) -> [Double] {
            let b = q.shape[0], tq = q.shape[1], tk = k.shape[1]
            let ldq = q.shape[2], ldk = k.shape[2], ldv = v.shape[2], d = heads * dk
            let qv = q.scalars, kv = k.scalars, vv = v.scalars
            var out = [Double](repeating: 0, count: b * tq * d)
            for bi in 0..<b {
                for h in 0..<heads {
                    for i in 0..<tq {
                        var scores: [Double?] = []
                        for j in 0..<tk {
                            let hidden = (mask.causal && j > i + tk - tq) || (mask.keyPadding?[bi * tk + j] ?? false)
                            if hidden { scores.append(nil); continue }
                            var s = 0.0
                            for e in 0..<dk {
                                s += Double(qv[(bi * tq + i) * ldq + qOffset + h * dk + e]) * Double(kv[(bi * tk + j) * ldk + kOffset + h * dk + e])
                            }
                            scores.append(s / Double(dk).squareRoot())
                        }
                        let visible = scores.compactMap { $0 }
                        guard let m = visible.max() else { continue }
                        let z = visible.reduce(0) { $0 + Foundation.exp($1 - m) }
                        for (j, s) in scores.enumerated() {
                            guard let s else { continue }
                            let p = Foundation.exp(s - m) / z
                            for e in 0..<dk {
                                out[(bi * tq + i) * d + h * dk + e] += p * Double(vv[(bi * tk + j) * ldv + vOffset + h * dk + e])
                            }
                        }
                    }
                }
            }
            return out
        }

        /// Forward against the reference, and gradients of q, k and v, all separate tensors.
        func check(b: Int = 2, tq: Int, tk: Int, heads: Int = 2, dk: Int = 4, mask: AttentionMask = .none, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
            let d = heads * dk
            let q = uniform([b, tq, d], seed: 1), k = uniform([b, tk, d], seed: 2), v = uniform([b, tk, d], seed: 3)
            let y = Tensor.attention(q: q, k: k, v: v, heads: heads, headDim: dk, mask: mask)
            #expect(y.shape == [b, tq, d], sourceLocation: sourceLocation)
            expectClose(y, reference(q: q, k: k, v: v, heads: heads, dk: dk, mask: mask), abs: 2e-6, what, sourceLocation: sourceLocation)
            expectGradientsMatch([q, k, v], what, sourceLocation: sourceLocation) {
                Tensor.attention(q: $0[0], k: $0[1], v: $0[2], heads: heads, headDim: dk, mask: mask)
            }
        }

        @Test func noMask() { check(tq: 3, tk: 3, "no mask") }
        @Test func crossAttentionLengths() { check(tq: 2, tk: 5, "Tq < Tk, no mask") }
        @Test func causalSquare() { check(tq: 4, tk: 4, mask: AttentionMask(causal: true), "causal Tq == Tk") }
        @Test func causalShorterQueries() { check(tq: 2, tk: 5, mask: AttentionMask(causal: true), "causal Tq < Tk") }
        @Test func singleHeadWide() { check(tq: 3, tk: 20, heads: 1, dk: 6, "one head, 20 keys") }

        @Test func keyPadding() {
            let padding = [false, false, true, false, false, true, true, false]
            check(tq: 3, tk: 4, mask: AttentionMask(keyPadding: padding), "key padding")
            check(tq: 4, tk: 4, mask: AttentionMask(causal: true, keyPadding: padding), "causal and key padding")
        }

        /// A query with no visible key gives a zero row and passes no gradient.
        @Test func fullyMaskedRows() {
            // Batch 1 has every key padded; in batch 0 query 0 sees only key 0, which is padded.
            let padding = [true, false, false, true, true, true, true, true]
            let mask = AttentionMask(causal: true, keyPadding: padding)
            check(tq: 4, tk: 4, mask: mask, "fully masked rows")
            let q = uniform([2, 4, 8], seed: 4), k = uniform([2, 4, 8], seed: 5), v = uniform([2, 4, 8], seed: 6)
            let y = Tensor.attention(q: q, k: k, v: v, heads: 2, headDim: 4, mask: mask).scalars
            #expect(y[0..<8].allSatisfy { $0 == 0 })
            #expect(y[32..<64].allSatisfy { $0 == 0 })
            #expect(y.allSatisfy { $0.isFinite })
            // Causal with more queries than keys: the first queries see nothing.
            check(tq: 4, tk: 2, mask: AttentionMask(causal: true), "causal Tq > Tk")
        }

        /// Causal attention runs in blocks of query rows, each against only the keys it can see:
        /// lengths that are not a multiple of the block, a query offset (Tq < Tk), and more queries
        /// than keys (whole blocks that see nothing).
        @Test(arguments: [(70, 70), (100, 100), (45, 110), (80, 20)])
        func causalBlocks(tq: Int, tk: Int) {
            check(b: 1, tq: tq, tk: tk, mask: AttentionMask(causal: true), "causal \(tq)×\(tk)")
        }

        /// Head widths that fill the products' 16- and 32-column tiles (and leave tails), with
        /// blocks of 4 query rows and fewer.
        @Test(arguments: [(32, 37, 37, true), (16, 21, 21, false), (48, 9, 18, false)])
        func widerHeads(dk: Int, tq: Int, tk: Int, causal: Bool) {
            check(b: 1, tq: tq, tk: tk, heads: 2, dk: dk, mask: AttentionMask(causal: causal), "d_k \(dk), \(tq)×\(tk), causal: \(causal)")
        }

        @Test func causalBlocksWithKeyPadding() {
            var g = RandomGenerator(seed: 30)
            let padding = (0..<(2 * 75)).map { _ in g.next() % 5 == 0 }
            check(tq: 60, tk: 75, mask: AttentionMask(causal: true, keyPadding: padding), "causal blocks and key padding")
        }

        /// Masked probabilities are exactly 0: queries never read future values, and gradients
        /// from early queries never reach later positions.
        @Test func causalFutureIsExactlyInvisible() {
            let (t, cut, d) = (100, 37, 8)
            let q = uniform([1, t, d], seed: 31), k = uniform([1, t, d], seed: 32), v = uniform([1, t, d], seed: 33)
            let mask = AttentionMask(causal: true)
            let y = Tensor.attention(q: q, k: k, v: v, heads: 2, headDim: 4, mask: mask).scalars
            let v2 = v.copy(), k2 = k.copy()
            for i in (cut * d)..<(t * d) { v2[flat: i] = 1e6; k2[flat: i] = -1e3 }
            let y2 = Tensor.attention(q: q, k: k2, v: v2, heads: 2, headDim: 4, mask: mask).scalars
            #expect(y[0..<(cut * d)] == y2[0..<(cut * d)])
            for x in [q, k, v] { x.requiresGrad = true; x.grad = nil }
            let upstream = Tensor((0..<(t * d)).map { $0 < cut * d ? Float($0 % 7) - 3 : 0 }, shape: [1, t, d])
            Tensor.attention(q: q, k: k, v: v, heads: 2, headDim: 4, mask: mask).backward(upstream)
            for x in [q, k, v] { #expect(x.grad!.scalars[(cut * d)...].allSatisfy { $0 == 0 }) }
        }

        /// `keyLength` with causal blocks: a chunk of queries at an offset into a cache with spare rows.
        @Test func causalBlocksWithKeyLength() {
            let q = uniform([2, 40, 8], seed: 34), kCache = uniform([2, 90, 8], seed: 35), vCache = uniform([2, 90, 8], seed: 36)
            let mask = AttentionMask(causal: true)
            let y = Tensor.attention(q: q, k: kCache, v: vCache, heads: 2, headDim: 4, mask: mask, keyLength: 70)
            let k = kCache.slice(axis: 1, 0..<70), v = vCache.slice(axis: 1, 0..<70)
            expectClose(y, reference(q: q, k: k, v: v, heads: 2, dk: 4, mask: mask), abs: 2e-6, "causal blocks, keyLength")
            expectGradientsMatch([q, kCache, vCache], "causal blocks, keyLength") {
                Tensor.attention(q: $0[0], k: $0[1], v: $0[2], heads: 2, headDim: 4, mask: mask, keyLength: 70)
            }
            for b in 0..<2 { for i in ((b * 90 + 70) * 8)..<((b + 1) * 90 * 8) { #expect(kCache.grad![flat: i] == 0 && vCache.grad![flat: i] == 0) } }
        }

        /// One [B, T, 3D] tensor is q, k and v at column offsets 0, D and 2D (a fused QKV projection).
        @Test(arguments: [false, true])
        func packedQKV(causal: Bool) {
            let heads = 2, dk = 4, d = heads * dk
            let qkv = uniform([2, 3, 3 * d], seed: 7)
            let mask = AttentionMask(causal: causal)
            let y = Tensor.attention(q: qkv, qOffset: 0, k: qkv, kOffset: d, v: qkv, vOffset: 2 * d, heads: heads, headDim: dk, mask: mask)
            expectClose(y, reference(q: qkv, k: qkv, kOffset: d, v: qkv, vOffset: 2 * d, heads: heads, dk: dk, mask: mask),
                        abs: 2e-6, "packed QKV")
            expectGradientsMatch([qkv], "packed QKV causal: \(causal)") {
                Tensor.attention(q: $0[0], qOffset: 0, k: $0[0], kOffset: d, v: $0[0], vOffset: 2 * d, heads: heads, headDim: dk, mask: mask)
            }
            // The same as slicing q, k and v out first.
            let split = Tensor.attention(q: qkv.slice(axis: 2, 0..<d), k: qkv.slice(axis: 2, d..<(2 * d)), v: qkv.slice(axis: 2, (2 * d)..<(3 * d)),
                                         heads: heads, headDim: dk, mask: mask)
            expectClose(y, split.scalars.map(Double.init), abs: 1e-6, "packed vs split")
        }

        /// A packed QKV gradient is written outright by the heads' products, not added to zeros: over
        /// a reused buffer full of NaN it must equal the gradient of the same columns inside a wider
        /// tensor, which starts from zeros (several causal blocks, tile tails).
        @Test(arguments: [(70, 16, true), (37, 32, false)])
        func packedQKVGradientsOverwriteReusedBuffers(t: Int, dk: Int, causal: Bool) {
            let heads = 2, d = heads * dk
            let wide = uniform([1, t, 3 * d + 1], seed: 18)
            let packed = Tensor(wide.scalars.enumerated().filter { $0.offset % (3 * d + 1) < 3 * d }.map(\.element), shape: [1, t, 3 * d])
            let upstream = uniform([1, t, d], seed: 19)
            func gradient(_ x: Tensor) -> [Float] {
                x.requiresGrad = true
                x.grad = nil
                Tensor.attention(q: x, k: x, kOffset: d, v: x, vOffset: 2 * d, heads: heads, headDim: dk,
                                 mask: AttentionMask(causal: causal)).backward(upstream)
                return x.grad!.scalars
            }
            let expected = gradient(wide).enumerated().filter { $0.offset % (3 * d + 1) < 3 * d }.map(\.element)
            do { _ = Tensor(repeating: .nan, shape: [1, t, 3 * d]) }  // back to the pool, NaN-filled
            #expect(gradient(packed) == expected, "packed QKV over a NaN buffer, \(t)×\(dk), causal: \(causal)")
        }

        /// k and v one [B, Tk, 2D] tensor (a fused KV projection of the encoder output), q another.
        @Test func packedKV() {
            let heads = 2, dk = 3, d = heads * dk
            let q = uniform([2, 3, d], seed: 8), kv = uniform([2, 5, 2 * d], seed: 9)
            let padding = [false, false, false, true, true, false, false, false, false, false]
            let mask = AttentionMask(keyPadding: padding)
            let y = Tensor.attention(q: q, k: kv, kOffset: 0, v: kv, vOffset: d, heads: heads, headDim: dk, mask: mask)
            expectClose(y, reference(q: q, k: kv, v: kv, vOffset: d, heads: heads, dk: dk, mask: mask), abs: 2e-6, "packed KV")
            expectGradientsMatch([q, kv], "packed KV") {
                Tensor.attention(q: $0[0], k: $0[1], kOffset: 0, v: $0[1], vOffset: d, heads: heads, headDim: dk, mask: mask)
            }
        }

        /// q, k and v the very same columns of one tensor: the gradients of the three roles add up.
        @Test func sameTensorSameColumns() {
            let x = uniform([2, 3, 8], seed: 10)
            expectGradientsMatch([x], "q = k = v") { Tensor.attention(q: $0[0], k: $0[0], v: $0[0], heads: 2, headDim: 4) }
        }

        /// Heads that fill only part of wider inputs, at an offset; the other columns get no gradient.
        @Test func offsetsIntoWiderInputs() {
            let q = uniform([1, 3, 11], seed: 11), k = uniform([1, 4, 9], seed: 12), v = uniform([1, 4, 10], seed: 13)
            let y = Tensor.attention(q: q, qOffset: 2, k: k, kOffset: 1, v: v, vOffset: 3, heads: 2, headDim: 3)
            expectClose(y, reference(q: q, qOffset: 2, k: k, kOffset: 1, v: v, vOffset: 3, heads: 2, dk: 3), abs: 2e-6, "offsets")
            expectGradientsMatch([q, k, v], "offsets") {
                Tensor.attention(q: $0[0], qOffset: 2, k: $0[1], kOffset: 1, v: $0[2], vOffset: 3, heads: 2, headDim: 3)
            }
            for t in 0..<3 { for c in [0, 1, 8, 9, 10] { #expect(q.grad![flat: t * 11 + c] == 0) } }
        }

        /// `keyLength` reads only the first keys of a cache with spare capacity: the same as slicing
        /// them out, and the spare rows get no gradient.
        @Test(arguments: [false, true])
        func keyLengthWithinCapacity(causal: Bool) {
            let q = uniform([2, 2, 8], seed: 20), kCache = uniform([2, 6, 8], seed: 21), vCache = uniform([2, 6, 8], seed: 22)
            let mask = AttentionMask(causal: causal, keyPadding: [false, false, true, false, false, false, false, false])
            let y = Tensor.attention(q: q, k: kCache, v: vCache, heads: 2, headDim: 4, mask: mask, keyLength: 4)
            let k = kCache.slice(axis: 1, 0..<4), v = vCache.slice(axis: 1, 0..<4)
            expectClose(y, reference(q: q, k: k, v: v, heads: 2, dk: 4, mask: mask), abs: 2e-6, "keyLength causal: \(causal)")
            expectGradientsMatch([q, kCache, vCache], "keyLength causal: \(causal)") {
                Tensor.attention(q: $0[0], k: $0[1], v: $0[2], heads: 2, headDim: 4, mask: mask, keyLength: 4)
            }
            for b in 0..<2 {
                for t in 4..<6 {
                    for c in 0..<8 {
                        #expect(kCache.grad![flat: (b * 6 + t) * 8 + c] == 0 && vCache.grad![flat: (b * 6 + t) * 8 + c] == 0)
                    }
                }
            }
        }

        /// The backward must not read buffers the forward has let go of (see the LayerNorm test):
        /// [2, 2, 16, 16] attention probabilities are 1024 floats, a size the buffer pool reuses.
        @Test func backwardSurvivesBufferReuse() {
            let q = uniform([2, 16, 8], seed: 14), k = uniform([2, 16, 8], seed: 15), v = uniform([2, 16, 8], seed: 16)
            let upstream = uniform([2, 16, 8], seed: 17)
            func grads(scribble: Bool) -> [[Float]] {
                for t in [q, k, v] { t.requiresGrad = true; t.grad = nil }
                let y = Tensor.attention(q: q, k: k, v: v, heads: 2, headDim: 4, mask: AttentionMask(causal: true))
                let junk = scribble ? (0..<4).map { _ in Tensor(repeating: 1e6, shape: [1024]) } : []
                y.backward(upstream)
                _ = junk
                return [q.grad!.scalars, k.grad!.scalars, v.grad!.scalars]
            }
            let unchanged = grads(scribble: false) == grads(scribble: true)
            #expect(unchanged, "the gradients change when freed buffers are reused before the backward")
        }
    }
}
