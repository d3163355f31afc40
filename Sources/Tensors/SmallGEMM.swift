import CKernels

/// Where a causal product is known to be zero or not needed, so `smallGEMM` can skip it. With
/// `o` the offset of the causal diagonal (query i sees keys up to i + o):
public enum Triangle {
    /// Every element is computed.
    case none
    /// Row i of C is needed only in columns j ≤ i + o (Q·Kᵀ, dO·Vᵀ); the rest of a tile's
    /// columns, up to a whole vector, may be computed too, and beyond that are left untouched.
    case columnsUpTo(Int)
    /// A(i, p) is zero for p > i + o (P·V, dS·K): those terms are not added.
    case depthUpTo(Int)
    /// A(i, p) is zero for p < i − o (Pᵀ·dO, dSᵀ·Q): those terms are not added.
    case depthFrom(Int)
}

/// C = alpha·A·B + beta·C (beta 0 or 1) for the small products inside attention: m, n and k of a
/// few dozen to a few hundred. OpenBLAS spends about as long packing such operands and setting up
/// each call as multiplying them (a quarter of `attention-causal`'s samples were its copy
/// routines); this kernel reads A and B in place.
///
/// A(i, p) is `a[i·aRow + p·aCol]`, so a transposed A is the same call with the strides swapped;
/// row p of B starts at `b + p·ldb` and is contiguous, as is each row of C. `triangle` skips the
/// masked half of a causal product a tile of rows at a time. `registers` (the build's register
/// file) picks the tile shapes; every shape gives each element the same sum in the same order.
func smallGEMM(m: Int, n: Int, k: Int, alpha: Float = 1, _ a: UnsafePointer<Float>, aRow: Int, aCol: Int,
               _ b: UnsafePointer<Float>, ldb: Int, beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int,
               triangle: Triangle = .none, registers: Int = Int(zoo_vector_registers())) {
    precondition(beta == 0 || beta == 1, "smallGEMM accumulates (beta 1) or overwrites (beta 0)")
    // The tallest tile loads B least often per multiply-add (P·V and the gradients' products, k up
    // to a few hundred); the masked columns of a causal Q·Kᵀ are skipped four rows at a time, where
    // more would skip less for little gain. BENCHMARKS.md has the measurements.
    let fullRows: Bool
    if case .columnsUpTo = triangle { fullRows = false } else { fullRows = true }
    // Tiles sized to the register file. With 32 vector registers (AVX-512) an 8×32 tile's sixteen
    // accumulators and two vectors of B stay in registers; with 16 (AVX2, where a Vec takes two)
    // 8×32 and 4×32 would spill to the stack every step of k, and a 6×16 tile's twelve halves fit.
    let wide = registers >= 32
    let tallest = wide ? 8 : 6
    var i = 0
    while i < m {
        let rows = m &- i >= tallest && fullRows ? tallest : (m &- i >= 4 ? 4 : 1)
        // This tile's columns and its range of the inner dimension.
        var nt = n, k0 = 0, k1 = k
        switch triangle {
        case .none: break
        case .columnsUpTo(let o): nt = Swift.min(n, Swift.max(0, (i &+ rows &+ o &+ 15) & ~15))
        case .depthUpTo(let o): k1 = Swift.min(k, Swift.max(0, i &+ rows &+ o))
        case .depthFrom(let o): k0 = Swift.min(k, Swift.max(0, i &- o))
        }
        let ai = a + (i &* aRow &+ k0 &* aCol), bk = b + k0 &* ldb, kt = k1 &- k0
        var j = 0
        while wide && j &+ 32 <= nt {
            if rows == 8 {
                tile8x32(kt, alpha, ai, aRow, aCol, bk + j, ldb, beta, c + (i &* ldc &+ j), ldc)
            } else if rows == 4 {
                tile4x32(kt, alpha, ai, aRow, aCol, bk + j, ldb, beta, c + (i &* ldc &+ j), ldc)
            } else {
                tile1x32(kt, alpha, ai, aCol, bk + j, ldb, beta, c + (i &* ldc &+ j))
            }
            j &+= 32
        }
        while j &+ 16 <= nt {
            if rows == 8 {
                tile4x16(kt, alpha, ai, aRow, aCol, bk + j, ldb, beta, c + (i &* ldc &+ j), ldc)
                tile4x16(kt, alpha, ai + 4 &* aRow, aRow, aCol, bk + j, ldb, beta, c + ((i &+ 4) &* ldc &+ j), ldc)
            } else if rows == 6 {
                tile6x16(kt, alpha, ai, aRow, aCol, bk + j, ldb, beta, c + (i &* ldc &+ j), ldc)
            } else if rows == 4 {
                tile4x16(kt, alpha, ai, aRow, aCol, bk + j, ldb, beta, c + (i &* ldc &+ j), ldc)
            } else {
                tile1x16(kt, alpha, ai, aCol, bk + j, ldb, beta, c + (i &* ldc &+ j))
            }
            j &+= 16
        }
        // Columns left over from whole vectors, one dot product each.
        while j < nt {
            for r in 0..<rows {
                let ar = ai + r &* aRow
                var s: Float = 0
                for p in 0..<kt { s = s.addingProduct(ar[p &* aCol], bk[p &* ldb &+ j]) }
                let out = c + ((i &+ r) &* ldc &+ j)
                out.pointee = beta == 0 ? alpha * s : out.pointee + alpha * s
            }
            j &+= 1
        }
        i &+= rows
    }
}

/// Four rows of C by 32 columns, in eight accumulators: per step of k, two vectors of B and four
/// broadcast elements of A feed eight fused multiply-adds.
@inline(__always)
private func tile4x32(_ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
                      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c00 = Vec(), c01 = Vec(), c10 = Vec(), c11 = Vec(), c20 = Vec(), c21 = Vec(), c30 = Vec(), c31 = Vec()
    var ap = a, bp = b
    for _ in 0..<k {
        let b0 = load(bp), b1 = load(bp + 16)
        let a0 = Vec(repeating: ap[0]), a1 = Vec(repeating: ap[aRow])
        let a2 = Vec(repeating: ap[2 &* aRow]), a3 = Vec(repeating: ap[3 &* aRow])
        c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
        c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
        c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
        c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
        ap += aCol
        bp += ldb
    }
    finish(c00, alpha, beta, c); finish(c01, alpha, beta, c + 16)
    finish(c10, alpha, beta, c + ldc); finish(c11, alpha, beta, c + (ldc &+ 16))
    finish(c20, alpha, beta, c + 2 &* ldc); finish(c21, alpha, beta, c + (2 &* ldc &+ 16))
    finish(c30, alpha, beta, c + 3 &* ldc); finish(c31, alpha, beta, c + (3 &* ldc &+ 16))
}

/// Eight rows of C by 32 columns, in sixteen accumulators: per step of k, two vectors of B feed
/// sixteen fused multiply-adds.
@inline(__always)
private func tile8x32(_ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
                      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c00 = Vec(), c01 = Vec(), c10 = Vec(), c11 = Vec(), c20 = Vec(), c21 = Vec(), c30 = Vec(), c31 = Vec()
    var c40 = Vec(), c41 = Vec(), c50 = Vec(), c51 = Vec(), c60 = Vec(), c61 = Vec(), c70 = Vec(), c71 = Vec()
    var ap = a, bp = b
    let r2 = 2 &* aRow, r3 = 3 &* aRow, r4 = 4 &* aRow, r5 = 5 &* aRow, r6 = 6 &* aRow, r7 = 7 &* aRow
    for _ in 0..<k {
        let b0 = load(bp), b1 = load(bp + 16)
        var av = Vec(repeating: ap[0]); c00 = c00.addingProduct(av, b0); c01 = c01.addingProduct(av, b1)
        av = Vec(repeating: ap[aRow]); c10 = c10.addingProduct(av, b0); c11 = c11.addingProduct(av, b1)
        av = Vec(repeating: ap[r2]); c20 = c20.addingProduct(av, b0); c21 = c21.addingProduct(av, b1)
        av = Vec(repeating: ap[r3]); c30 = c30.addingProduct(av, b0); c31 = c31.addingProduct(av, b1)
        av = Vec(repeating: ap[r4]); c40 = c40.addingProduct(av, b0); c41 = c41.addingProduct(av, b1)
        av = Vec(repeating: ap[r5]); c50 = c50.addingProduct(av, b0); c51 = c51.addingProduct(av, b1)
        av = Vec(repeating: ap[r6]); c60 = c60.addingProduct(av, b0); c61 = c61.addingProduct(av, b1)
        av = Vec(repeating: ap[r7]); c70 = c70.addingProduct(av, b0); c71 = c71.addingProduct(av, b1)
        ap += aCol
        bp += ldb
    }
    finish(c00, alpha, beta, c); finish(c01, alpha, beta, c + 16)
    finish(c10, alpha, beta, c + ldc); finish(c11, alpha, beta, c + (ldc &+ 16))
    finish(c20, alpha, beta, c + 2 &* ldc); finish(c21, alpha, beta, c + (2 &* ldc &+ 16))
    finish(c30, alpha, beta, c + 3 &* ldc); finish(c31, alpha, beta, c + (3 &* ldc &+ 16))
    finish(c40, alpha, beta, c + 4 &* ldc); finish(c41, alpha, beta, c + (4 &* ldc &+ 16))
    finish(c50, alpha, beta, c + 5 &* ldc); finish(c51, alpha, beta, c + (5 &* ldc &+ 16))
    finish(c60, alpha, beta, c + 6 &* ldc); finish(c61, alpha, beta, c + (6 &* ldc &+ 16))
    finish(c70, alpha, beta, c + 7 &* ldc); finish(c71, alpha, beta, c + (7 &* ldc &+ 16))
}

/// Six rows of C by 16 columns, for a register file of 16 (AVX2): per step of k, one vector of B
/// feeds six fused multiply-adds.
@inline(__always)
private func tile6x16(_ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
                      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c0 = Vec(), c1 = Vec(), c2 = Vec(), c3 = Vec(), c4 = Vec(), c5 = Vec()
    var ap = a, bp = b
    let r2 = 2 &* aRow, r3 = 3 &* aRow, r4 = 4 &* aRow, r5 = 5 &* aRow
    for _ in 0..<k {
        let b0 = load(bp)
        c0 = c0.addingProduct(Vec(repeating: ap[0]), b0); c1 = c1.addingProduct(Vec(repeating: ap[aRow]), b0)
        c2 = c2.addingProduct(Vec(repeating: ap[r2]), b0); c3 = c3.addingProduct(Vec(repeating: ap[r3]), b0)
        c4 = c4.addingProduct(Vec(repeating: ap[r4]), b0); c5 = c5.addingProduct(Vec(repeating: ap[r5]), b0)
        ap += aCol
        bp += ldb
    }
    finish(c0, alpha, beta, c); finish(c1, alpha, beta, c + ldc)
    finish(c2, alpha, beta, c + 2 &* ldc); finish(c3, alpha, beta, c + 3 &* ldc)
    finish(c4, alpha, beta, c + 4 &* ldc); finish(c5, alpha, beta, c + 5 &* ldc)
}

/// Four rows of C by 16 columns: the causal diagonal's tiles and the columns left after 32s.
@inline(__always)
private func tile4x16(_ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ aRow: Int, _ aCol: Int,
                      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    var c0 = Vec(), c1 = Vec(), c2 = Vec(), c3 = Vec()
    var ap = a, bp = b
    for _ in 0..<k {
        let b0 = load(bp)
        c0 = c0.addingProduct(Vec(repeating: ap[0]), b0); c1 = c1.addingProduct(Vec(repeating: ap[aRow]), b0)
        c2 = c2.addingProduct(Vec(repeating: ap[2 &* aRow]), b0); c3 = c3.addingProduct(Vec(repeating: ap[3 &* aRow]), b0)
        ap += aCol
        bp += ldb
    }
    finish(c0, alpha, beta, c); finish(c1, alpha, beta, c + ldc)
    finish(c2, alpha, beta, c + 2 &* ldc); finish(c3, alpha, beta, c + 3 &* ldc)
}

@inline(__always)
private func tile1x32(_ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ aCol: Int,
                      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>) {
    var c0 = Vec(), c1 = Vec()
    var ap = a, bp = b
    for _ in 0..<k {
        let av = Vec(repeating: ap[0])
        c0 = c0.addingProduct(av, load(bp)); c1 = c1.addingProduct(av, load(bp + 16))
        ap += aCol
        bp += ldb
    }
    finish(c0, alpha, beta, c); finish(c1, alpha, beta, c + 16)
}

@inline(__always)
private func tile1x16(_ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ aCol: Int,
                      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>) {
    var c0 = Vec()
    var ap = a, bp = b
    for _ in 0..<k {
        c0 = c0.addingProduct(Vec(repeating: ap[0]), load(bp))
        ap += aCol
        bp += ldb
    }
    finish(c0, alpha, beta, c)
}

@inline(__always)
private func finish(_ acc: Vec, _ alpha: Float, _ beta: Float, _ c: UnsafeMutablePointer<Float>) {
    let v = alpha == 1 ? acc : acc * alpha
    store(beta == 0 ? v : load(c) + v, c)
}
