import CBLAS

/// Row-major GEMM on raw pointers: C = alpha·op(A)·op(B) + beta·C, op(A) is m×k, op(B) is k×n.
///
/// Large products are split into one block of rows (or columns) per core, each a single-threaded
/// OpenBLAS call: the same thread pool then serves GEMM and the element-wise kernels. With
/// `split: false` the product runs whole on the calling thread.
public func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                 _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int, split: Bool = true) {
    let ta = Int32(transposeA ? ZOO_TRANS : ZOO_NO_TRANS), tb = Int32(transposeB ? ZOO_TRANS : ZOO_NO_TRANS)
    let parts = split ? Parallel.cores : 1
    if m == 1 && (!transposeA || lda == 1) {
        // A row vector times a matrix (a decoding step) is bound by reading the matrix once:
        // OpenBLAS's GEMM would pack it first and its GEMV kernels are slow on this CPU, so we
        // stream the rows with SIMD dot products, split across cores.
        rowVectorProduct(transposeB: transposeB, n: n, k: k, alpha: alpha, a, b, ldb: ldb, beta: beta, c)
        return
    }
    guard parts > 1, m &* n &* k >= 1 << 21, max(m, n) >= 64 * parts else {
        zoo_sgemm(ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        return
    }
    if m >= n {
        // Rows of C: rows of op(A) start at a row of A, or at a column when A is transposed.
        let step = ((m + parts - 1) / parts + 15) & ~15
        Parallel.perform(iterations: parts) { p in
            let lo = p * step, hi = min(m, lo + step)
            guard lo < hi else { return }
            zoo_sgemm(ta, tb, Int32(hi - lo), Int32(n), Int32(k), alpha, a + (transposeA ? lo : lo * lda), Int32(lda),
                      b, Int32(ldb), beta, c + lo * ldc, Int32(ldc))
        }
    } else {
        // Columns of C: columns of op(B) start at a column of B, or at a row when B is transposed.
        let step = ((n + parts - 1) / parts + 15) & ~15
        Parallel.perform(iterations: parts) { p in
            let lo = p * step, hi = min(n, lo + step)
            guard lo < hi else { return }
            zoo_sgemm(ta, tb, Int32(m), Int32(hi - lo), Int32(k), alpha, a, Int32(lda),
                      b + (transposeB ? lo * ldb : lo), Int32(ldb), beta, c + lo, Int32(ldc))
        }
    }
}

/// Plain `cblas_sgemm` with OpenBLAS's own threading (one thread per core), bypassing our split:
/// the baseline the Tensors API is measured against.
public func rawBLASSgemm(m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
    zoo_blas_set_threads(Int32(Parallel.cores))
    defer { zoo_blas_set_threads(1) }
    zoo_sgemm(Int32(ZOO_NO_TRANS), Int32(ZOO_NO_TRANS), Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, c, Int32(n))
}

/// The name of the kernel family OpenBLAS runs on this CPU (e.g. "SkylakeX").
public var blasCoreName: String { String(cString: zoo_blas_core_name()) }

extension Tensor {
    /// Matrix product of the last two dimensions, batched over leading ones.
    /// `a` is [..., M, K] (or [..., K, M] with `transposeA`); `b` is [..., K, N] (or [..., N, K]).
    /// A rank-2 `b` is shared by every batch of `a`. Transposes go to BLAS as flags, never copies.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let ka = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        precondition(ka == kb, "matmul: inner dimensions differ in \(a.shape) and \(b.shape)")
        let batchA = a.count / (m * ka)
        let batchB = b.count / (kb * n)
        precondition(batchB == 1 || batchB == batchA, "matmul: batch sizes differ in \(a.shape) and \(b.shape)")
        let k = ka
        let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
        let out = Tensor(uninitialized: Array(a.shape.dropLast(2)) + [m, n])
        if batchB == 1 && !transposeA {
            // Fold the batch into M: one big GEMM.
            gemm(transposeB: transposeB, m: batchA * m, n: n, k: k, a.data, lda: lda, b.data, ldb: ldb, out.data, ldc: n)
        } else {
            for i in 0..<batchA {
                gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                     a.data + i * m * k, lda: lda, b.data + (batchB == 1 ? 0 : i * k * n), ldb: ldb, out.data + i * m * n, ldc: n)
            }
        }
        return out.recorded(from: [a, b]) { g in
            // C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC (with the transposes folded in).
            var ga: Tensor?, gb: Tensor?
            if a.requiresGrad {
                let t = Tensor(uninitialized: a.shape)
                for i in 0..<batchA {
                    let gp = g.data + i * m * n, bp = b.data + (batchB == 1 ? 0 : i * k * n)
                    if transposeA {  // dA (k×m) = op(B)·dCᵀ
                        gemm(transposeA: transposeB, transposeB: true, m: k, n: m, k: n, bp, lda: ldb, gp, ldb: n, t.data + i * m * k, ldc: m)
                    } else {  // dA (m×k) = dC·op(B)ᵀ
                        gemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n, gp, lda: n, bp, ldb: ldb, t.data + i * m * k, ldc: k)
                    }
                }
                ga = t
            }
            if b.requiresGrad {
                let t = Tensor(zeros: b.shape)
                for i in 0..<batchA {
                    let gp = g.data + i * m * n, ap = a.data + i * m * k
                    let beta: Float = batchB == 1 && i > 0 ? 1 : 0
                    let dst = t.data + (batchB == 1 ? 0 : i * k * n)
                    if transposeB {  // dB (n×k) = dCᵀ·op(A)
                        gemm(transposeA: true, transposeB: transposeA, m: n, n: k, k: m, gp, lda: n, ap, ldb: lda, beta: beta, dst, ldc: k)
                    } else {  // dB (k×n) = op(A)ᵀ·dC
                        gemm(transposeA: !transposeA, transposeB: false, m: k, n: n, k: m, ap, lda: lda, gp, ldb: n, beta: beta, dst, ldc: n)
                    }
                }
                gb = t
            }
            return [ga, gb]
        }
    }

    /// `x·Wᵀ + b` with PyTorch's weight layout: x is [..., in], `weight` is [out, in], `bias` [out].
    /// `rows` uses only those rows (outputs) of a packed weight, e.g. the key/value part of
    /// attention's `in_proj_weight`, without copying it. `activation` is applied to the result in
    /// the same node (see `LinearActivation`).
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, rows: Range<Int>? = nil,
                              activation: LinearActivation = .identity) -> Tensor {
        let inF = weight.shape[1]
        precondition(x.shape.last == inF, "linear: input \(x.shape) does not end in \(inF)")
        let r = rows ?? 0..<weight.shape[0]
        let outF = r.count, n = x.count / inF
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [outF])
        if let q = weight.quantized, !GradMode.isEnabled, n <= QuantizedMatrix.largestBatch, r.lowerBound % QuantizedMatrix.panelRows == 0 {
            q.linear(x.data, m: n, rows: r, bias: bias.map { UnsafePointer($0.data + r.lowerBound) }, into: out.data)
            _ = applyActivation(activation, out, recording: false)
            return out
        }
        if let bias {
            let bp = bias.data + r.lowerBound, o = out.data
            Parallel.forRows(n, rowCost: outF) { i in (o + i * outF).update(from: bp, count: outF) }
        }
        if let q = weight.quantized, weight.valuesDeferred, !GradMode.isEnabled {
            q.linearThroughBlocks(x.data, m: n, rows: r, accumulate: bias != nil, into: out.data)
            _ = applyActivation(activation, out, recording: false)
            return out
        }
        let w = weight.data + r.lowerBound * inF
        gemm(transposeB: true, m: n, n: outF, k: inF, x.data, lda: inF, w, ldb: inF, beta: bias == nil ? 0 : 1, out.data, ldc: outF)
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        let recording = GradMode.isEnabled && inputs.contains { $0.requiresGrad }
        let slope = applyActivation(activation, out, recording: recording)
        return out.recordedWithOutput(from: inputs) { g, y in
            let gx = x.requiresGrad ? Tensor(uninitialized: x.shape) : nil
            let gw = weight.requiresGrad ? (rows == nil ? Tensor(uninitialized: weight.shape) : Tensor(zeros: weight.shape)) : nil
            let gbias = bias.map { $0.requiresGrad ? Tensor(zeros: $0.shape) : nil } ?? nil
            // Through the activation first, summing the bias gradient on the way.
            let dz = activation == .identity
                ? g : activationBackward(activation, g, slope: slope, output: y, rows: n, width: outF, bias: gbias.map { $0.data + r.lowerBound })
            let biasLeft = activation == .identity ? gbias : nil
            // dX = dZ·W and dW = dZᵀ·X.
            let products: [(Bool) -> Void] = [
                gx.map { t in { (split: Bool) in gemm(m: n, n: inF, k: outF, dz.data, lda: outF, w, ldb: inF, t.data, ldc: inF, split: split) } },
                gw.map { t in { (split: Bool) in
                    gemm(transposeA: true, m: outF, n: inF, k: n, dz.data, lda: outF, x.data, ldb: inF, t.data + r.lowerBound * inF, ldc: inF,
                         split: split)
                } },
            ].compactMap { $0 }
            if products.count == 2 && Parallel.cores == 2 && n * inF * outF >= 1 << 21 {
                // One product per core, each whole: neither core packs an operand the other also
                // packs, as it would for halves of one product (faster for the ViT's shapes: BENCHMARKS.md).
                // The bias gradient's column blocks come after them, for whichever core is free first.
                let blocks = biasLeft == nil ? 0 : 4, width = ((outF + 3) / 4 + 15) & ~15
                Parallel.perform(iterations: 2 + blocks) { job in
                    guard job >= 2 else { return products[job](false) }
                    let lo = (job - 2) * width, hi = Swift.min(outF, lo + width)
                    guard lo < hi, let biasLeft else { return }
                    let dst = biasLeft.data + r.lowerBound + lo
                    for i in 0..<n { applyBinary(.add, dst, dz.data + i * outF + lo, dst, hi - lo) }
                }
            } else {
                for product in products { product(true) }
                if let biasLeft { addColumnSums(dz.data, rows: n, width: outF, into: biasLeft.data + r.lowerBound) }
            }
            return bias == nil ? [gx, gw] : [gx, gw, gbias]
        }
    }
}

/// dst[j] += Σᵢ g[i, j] for g [rows, width]: one block of columns per core, each column summed in
/// row order (the same result on any number of cores).
func addColumnSums(_ g: UnsafePointer<Float>, rows: Int, width: Int, into dst: UnsafeMutablePointer<Float>) {
    let block = ((width + Parallel.cores - 1) / Parallel.cores + 15) & ~15
    Parallel.forRows((width + block - 1) / block, rowCost: block * rows) { b in
        let lo = b * block, w = Swift.min(width, lo + block) - lo
        for i in 0..<rows { applyBinary(.add, dst + lo, g + i * width + lo, dst + lo, w) }
    }
}

/// c[n] = alpha · a[k] · op(B) + beta · c, with op(B) k×n.
func rowVectorProduct(transposeB: Bool, n: Int, k: Int, alpha: Float, _ a: UnsafePointer<Float>,
                      _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>) {
    if transposeB {
        // B is n×k: c[i] = dot(B[i, :], a).
        Parallel.forRows(n, rowCost: k) { i in
            let row = b + i &* ldb
            var s0 = Vec(), s1 = Vec(), s2 = Vec(), s3 = Vec()
            var j = 0
            while j &+ 64 <= k {
                s0 += load(row + j) * load(a + j)
                s1 += load(row + (j &+ 16)) * load(a + (j &+ 16))
                s2 += load(row + (j &+ 32)) * load(a + (j &+ 32))
                s3 += load(row + (j &+ 48)) * load(a + (j &+ 48))
                j &+= 64
            }
            while j &+ 16 <= k { s0 += load(row + j) * load(a + j); j &+= 16 }
            var dot = hsum((s0 + s1) + (s2 + s3))
            while j < k { dot += row[j] * a[j]; j &+= 1 }
            c[i] = beta == 0 ? alpha * dot : alpha * dot + beta * c[i]
        }
    } else {
        // B is k×n: c = Σ_j a[j] · B[j, :], over column blocks so each core owns its outputs.
        let block = 256
        let blocks = (n + block - 1) / block
        Parallel.forRows(blocks, rowCost: block * k) { blk in
            let lo = blk * block, hi = Swift.min(n, lo + block)
            let out = c + lo
            if beta == 0 { out.update(repeating: 0, count: hi - lo) } else if beta != 1 {
                for i in 0..<(hi - lo) { out[i] *= beta }
            }
            for j in 0..<k {
                let s = Vec(repeating: alpha * a[j])
                let row = b + j &* ldb + lo
                var i = 0
                while i &+ 16 <= hi - lo { store(load(out + i) + s * load(row + i), out + i); i &+= 16 }
                while i < hi - lo { out[i] += alpha * a[j] * row[i]; i &+= 1 }
            }
        }
    }
}
