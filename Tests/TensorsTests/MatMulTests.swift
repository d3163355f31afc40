import Foundation
import Testing
import Tensors

extension TensorSuite {
    @Suite struct MatMul {
        /// op(A)·op(B) by the triple loop, batched over A's leading dimensions; a rank-2 B is shared.
        func reference(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> [Double] {
            let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
            let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
            let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
            let batch = a.count / (m * k), bBatched = b.count != k * n
            let av = a.scalars, bv = b.scalars
            var out: [Double] = []
            for bi in 0..<batch {
                let ao = bi * m * k, bo = bBatched ? bi * k * n : 0
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k {
                            let x = transposeA ? av[ao + p * m + i] : av[ao + i * k + p]
                            let y = transposeB ? bv[bo + j * k + p] : bv[bo + p * n + j]
                            s += Double(x) * Double(y)
                        }
                        out.append(s)
                    }
                }
            }
            return out
        }

        /// A is [batch…, M=3, K=4] (stored [batch…, K, M] when transposed), B is [K, N=5] likewise.
        func check(aBatch: [Int], bBatch: [Int], transposeA: Bool, transposeB: Bool,
                   sourceLocation: SourceLocation = #_sourceLocation) {
            let m = 3, k = 4, n = 5
            let a = uniform(aBatch + (transposeA ? [k, m] : [m, k]), seed: 1)
            let b = uniform(bBatch + (transposeB ? [n, k] : [k, n]), seed: 2)
            let what = "matmul \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")"
            let y = Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
            #expect(y.shape == aBatch + [m, n], "\(what)", sourceLocation: sourceLocation)
            expectClose(y, reference(a, b, transposeA: transposeA, transposeB: transposeB), what, sourceLocation: sourceLocation)
            expectGradientsMatch([a, b], what, sourceLocation: sourceLocation) {
                Tensor.matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB)
            }
            // Each operand alone (the other a constant).
            expectGradientsMatch([a], what + " (A only)", sourceLocation: sourceLocation) {
                Tensor.matmul($0[0], b.detached(), transposeA: transposeA, transposeB: transposeB)
            }
            expectGradientsMatch([b], what + " (B only)", sourceLocation: sourceLocation) {
                Tensor.matmul(a.detached(), $0[0], transposeA: transposeA, transposeB: transposeB)
            }
        }

        @Test(arguments: [false, true], [false, true])
        func twoD(transposeA: Bool, transposeB: Bool) {
            check(aBatch: [], bBatch: [], transposeA: transposeA, transposeB: transposeB)
        }

        @Test(arguments: [false, true], [false, true])
        func batched(transposeA: Bool, transposeB: Bool) {
            check(aBatch: [2], bBatch: [2], transposeA: transposeA, transposeB: transposeB)
            check(aBatch: [2, 3], bBatch: [2, 3], transposeA: transposeA, transposeB: transposeB)
        }

        @Test(arguments: [false, true], [false, true])
        func batchedTimesShared(transposeA: Bool, transposeB: Bool) {
            check(aBatch: [2], bBatch: [], transposeA: transposeA, transposeB: transposeB)
            check(aBatch: [2, 3], bBatch: [], transposeA: transposeA, transposeB: transposeB)
        }

        /// A single row (a decoding step) takes the GEMV path, for sizes with and without a SIMD
        /// tail and big enough to split across cores; with B transposed (Linear) and not.
        @Test(arguments: [false, true], [(7, 5), (64, 33), (300, 1100)])
        func rowVectorTimesMatrix(transposeB: Bool, size: (k: Int, n: Int)) {
            let a = uniform([1, size.k], seed: 5)
            let b = uniform(transposeB ? [size.n, size.k] : [size.k, size.n], seed: 6)
            expectClose(Tensor.matmul(a, b, transposeB: transposeB), reference(a, b, transposeA: false, transposeB: transposeB),
                        abs: 1e-4, "row vector · \(b.shape)\(transposeB ? "ᵀ" : "")")
            let bias = uniform([size.n], seed: 7)
            let w = transposeB ? b : Tensor(b.transposed().scalars, shape: [size.n, size.k])
            let y = Tensor.linear(a, weight: w, bias: bias)
            let expected = zip(reference(a, w, transposeA: false, transposeB: true), bias.scalars).map { $0 + Double($1) }
            expectClose(y, expected, abs: 1e-4, "linear of one row")
        }

        /// Sizes past BLAS's small-matrix paths.
        @Test func largerForward() {
            let a = uniform([2, 37, 45], seed: 3), b = uniform([45, 29], seed: 4)
            expectClose(Tensor.matmul(a, b), reference(a, b, transposeA: false, transposeB: false), abs: 1e-4, "matmul 37×45·45×29")
        }

        /// Products big enough for `gemm` to split them across cores, by rows (M ≥ N) and by columns
        /// (N > M): forward and both gradients against the triple loop.
        @Test(arguments: [false, true], [false, true])
        func largeProducts(transposeA: Bool, transposeB: Bool) {
            for (m, n, k) in [(256, 96, 96), (96, 256, 96)] {
                let what = "matmul \(m)×\(k)·\(k)×\(n) transposeA: \(transposeA) transposeB: \(transposeB)"
                let a = uniform(transposeA ? [k, m] : [m, k], seed: 11, requiresGrad: true)
                let b = uniform(transposeB ? [n, k] : [k, n], seed: 12, requiresGrad: true)
                let g = uniform([m, n], seed: 13)
                let c = Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
                expectClose(c, reference(a, b, transposeA: transposeA, transposeB: transposeB), abs: 1e-4, what)
                c.backward(g)
                // dop(A) = G·op(B)ᵀ and dop(B) = op(A)ᵀ·G, stored transposed where the operand is.
                let da = transposeA ? reference(b, g, transposeA: transposeB, transposeB: true)
                                    : reference(g, b, transposeA: false, transposeB: !transposeB)
                let db = transposeB ? reference(g, a, transposeA: true, transposeB: transposeA)
                                    : reference(a, g, transposeA: !transposeA, transposeB: false)
                expectClose(a.grad!, da, abs: 1e-4, what + " dA")
                expectClose(b.grad!, db, abs: 1e-4, what + " dB")
            }
        }

        // MARK: linear

        func referenceLinear(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, rows: Range<Int>) -> [Double] {
            let inF = w.shape[1], xv = x.scalars, wv = w.scalars
            var out: [Double] = []
            for r in 0..<(x.count / inF) {
                for o in rows {
                    var s = bias.map { Double($0[flat: o]) } ?? 0
                    for i in 0..<inF { s += Double(xv[r * inF + i]) * Double(wv[o * inF + i]) }
                    out.append(s)
                }
            }
            return out
        }

        @Test(arguments: [false, true], [nil, 2..<5] as [Range<Int>?])
        func linear(withBias: Bool, rows: Range<Int>?) {
            let x = uniform([2, 3, 4], seed: 5)
            let w = uniform([6, 4], seed: 6)
            let bias = withBias ? uniform([6], seed: 7) : nil
            let what = "linear bias: \(withBias) rows: \(rows.map { "\($0)" } ?? "all")"
            let y = Tensor.linear(x, weight: w, bias: bias, rows: rows)
            #expect(y.shape == [2, 3, rows?.count ?? 6])
            expectClose(y, referenceLinear(x, w, bias, rows: rows ?? 0..<6), what)
            if let bias {
                expectGradientsMatch([x, w, bias], what) { Tensor.linear($0[0], weight: $0[1], bias: $0[2], rows: rows) }
            } else {
                expectGradientsMatch([x, w], what) { Tensor.linear($0[0], weight: $0[1], bias: nil, rows: rows) }
            }
            // Rows outside the range get exactly zero gradient.
            if let rows {
                for o in 0..<6 where !rows.contains(o) {
                    for i in 0..<4 { #expect(w.grad![flat: o * 4 + i] == 0) }
                    if let bias { #expect(bias.grad![flat: o] == 0) }
                }
            }
        }

        /// Large enough that dX and dW run as one product per core (and the bias's column sums
        /// split): the gradients against the sums written out in Double.
        @Test(arguments: [nil, 40..<100] as [Range<Int>?])
        func largeLinearGradients(rows: Range<Int>?) {
            let x = uniform([300, 110], seed: 11, requiresGrad: true)
            let w = uniform([130, 110], seed: 12, requiresGrad: true), bias = uniform([130], seed: 13, requiresGrad: true)
            let r = rows ?? 0..<130
            let upstream = uniform([300, r.count], seed: 14)
            Tensor.linear(x, weight: w, bias: bias, rows: rows).backward(upstream)
            let xv = x.scalars, wv = w.scalars, gv = upstream.scalars
            var dx = [Double](repeating: 0, count: 300 * 110), dw = [Double](repeating: 0, count: 130 * 110)
            var db = [Double](repeating: 0, count: 130)
            for t in 0..<300 {
                for (j, o) in r.enumerated() {
                    let g = Double(gv[t * r.count + j])
                    db[o] += g
                    for i in 0..<110 {
                        dx[t * 110 + i] += g * Double(wv[o * 110 + i])
                        dw[o * 110 + i] += g * Double(xv[t * 110 + i])
                    }
                }
            }
            expectClose(x.grad!, dx, abs: 1e-4, "dX")
            expectClose(w.grad!, dw, abs: 1e-4, "dW")
            expectClose(bias.grad!, db, abs: 1e-4, "dbias")
        }

        /// An activation fused into the linear node equals the activation applied after it: the same
        /// output bits, and gradients for x, W and the bias (whose sum runs in 64-row chunks: 150
        /// rows leave a short one) equal to rounding; without recording, the output alone.
        @Test(arguments: [LinearActivation.relu, .gelu, .geluTanh])
        func fusedActivation(_ activation: LinearActivation) {
            func run(fused: Bool) -> [[Float]] {
                let x = uniform([150, 40], seed: 15, requiresGrad: true)
                let w = uniform([70, 40], seed: 16, requiresGrad: true), bias = uniform([70], seed: 17, requiresGrad: true)
                let y: Tensor
                if fused {
                    y = Tensor.linear(x, weight: w, bias: bias, activation: activation)
                } else {
                    let z = Tensor.linear(x, weight: w, bias: bias)
                    switch activation {
                    case .relu: y = z.relu()
                    case .gelu: y = z.gelu()
                    case .geluTanh: y = z.gelu(approximate: true)
                    case .identity: y = z
                    }
                }
                let inference = withoutGradients { Tensor.linear(x, weight: w, bias: bias, activation: fused ? activation : .identity) }
                y.backward(uniform([150, 70], seed: 18))
                return [y.scalars, x.grad!.scalars, w.grad!.scalars, bias.grad!.scalars, fused ? inference.scalars : y.scalars]
            }
            let fused = run(fused: true), plain = run(fused: false)
            #expect(fused[0] == plain[0], "output")
            #expect(fused[4] == plain[0], "output without recording")
            for (i, name) in [(1, "dX"), (2, "dW"), (3, "dbias")] {
                expectClose(Tensor(fused[i], shape: [fused[i].count]), plain[i].map(Double.init), abs: 1e-5, "\(activation) \(name)")
            }
        }

        /// The input alone, with the weight a constant (the path a frozen layer takes).
        @Test func linearInputOnly() {
            let x = uniform([5, 4], seed: 8), w = uniform([3, 4], seed: 9), bias = uniform([3], seed: 10)
            expectGradientsMatch([x], "linear, x only") { Tensor.linear($0[0], weight: w, bias: bias) }
            #expect(w.grad == nil && bias.grad == nil)
        }
    }
}
