import Foundation
import Testing
import Tensors

/// Softmax of each row of length `n`, in Double.
func referenceSoftmax(_ x: [Float], n: Int, log: Bool = false) -> [Double] {
    var out: [Double] = []
    for r in 0..<(x.count / n) {
        let row = x[(r * n)..<(r * n + n)].map(Double.init)
        let m = row.max()!
        let lse = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
        out += row.map { log ? $0 - lse : Foundation.exp($0 - lse) }
    }
    return out
}

extension TensorSuite {
    @Suite struct Softmax {
        // 5: a tail only; 20: a full vector and a tail; 32: full vectors only.
        @Test(arguments: [5, 20, 32])
        func softmax(n: Int) {
            let x = normal([2, 3, n], seed: UInt64(n), std: 2)
            let y = x.softmax()
            expectClose(y, referenceSoftmax(x.scalars, n: n), abs: 1e-7, rel: 2e-6, "softmax")
            for r in 0..<6 { #expect(Swift.abs(y.scalars[(r * n)..<(r * n + n)].reduce(0, +) - 1) < 1e-5) }
            expectGradientsMatch([x], "softmax n=\(n)") { $0[0].softmax() }
        }

        @Test(arguments: [5, 20, 32])
        func logSoftmax(n: Int) {
            let x = normal([2, 3, n], seed: 100 + UInt64(n), std: 2)
            expectClose(x.logSoftmax(), referenceSoftmax(x.scalars, n: n, log: true), abs: 2e-6, rel: 1e-6, "logSoftmax")
            expectGradientsMatch([x], "logSoftmax n=\(n)") { $0[0].logSoftmax() }
        }

        /// Large logits neither overflow nor lose the small probabilities.
        @Test func stableForLargeLogits() {
            let x = Tensor([1000, 999, 990, -1000, 50, 49], shape: [2, 3])
            expectClose(x.softmax(), referenceSoftmax(x.scalars, n: 3), abs: 1e-7, rel: 1e-5, "softmax")
            expectClose(x.logSoftmax(), referenceSoftmax(x.scalars, n: 3, log: true), abs: 1e-4, rel: 1e-6, "logSoftmax")
        }

        /// -inf logits (masked positions) get probability 0, in the vector body and the tail.
        @Test func negativeInfinityIsZero() {
            var values = (0..<20).map { Float($0) * 0.1 }
            values[3] = -.infinity
            values[18] = -.infinity
            let y = Tensor(values, shape: [1, 20]).softmax()
            #expect(y[flat: 3] == 0)
            #expect(y[flat: 18] == 0)
            var finite = values
            finite[3] = -1e30; finite[18] = -1e30
            expectClose(y, referenceSoftmax(finite, n: 20), abs: 1e-7, rel: 2e-6, "softmax with -inf")
        }
    }

    @Suite struct LayerNorm {
        /// torch.nn.functional.layer_norm in Double: biased variance, eps inside the square root.
        func reference(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Double = 1e-5) -> [Double] {
            let c = x.shape.last!, xv = x.scalars
            var out: [Double] = []
            for r in 0..<(x.count / c) {
                let row = xv[(r * c)..<(r * c + c)].map(Double.init)
                let mean = row.reduce(0, +) / Double(c)
                let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
                for (j, v) in row.enumerated() {
                    let g = gamma.map { Double($0[flat: j]) } ?? 1, b = beta.map { Double($0[flat: j]) } ?? 0
                    out.append((v - mean) / (variance + eps).squareRoot() * g + b)
                }
            }
            return out
        }

        // 6: a tail only; 20: a full vector and a tail; 32: full vectors only.
        @Test(arguments: [6, 20, 32])
        func withGammaAndBeta(c: Int) {
            let x = normal([2, 3, c], seed: 1, std: 2) + 0.5
            let gamma = uniform([c], seed: 2, 0.5, 1.5), beta = uniform([c], seed: 3)
            expectClose(x.layerNorm(gamma: gamma, beta: beta), reference(x, gamma: gamma, beta: beta), abs: 2e-6, "layerNorm")
            expectGradientsMatch([x, gamma, beta], "layerNorm c=\(c)") { $0[0].layerNorm(gamma: $0[1], beta: $0[2]) }
        }

        /// Enough rows that gamma's and beta's gradients are summed in several 64-row chunks (the
        /// last one short): against the sums written out in Double.
        @Test func affineGradientsOverRowChunks() {
            let rows = 150, c = 20
            let x = normal([rows, c], seed: 9, std: 2), upstream = uniform([rows, c], seed: 10)
            let gamma = uniform([c], seed: 11, 0.5, 1.5), beta = uniform([c], seed: 12)
            gamma.requiresGrad = true
            beta.requiresGrad = true
            x.layerNorm(gamma: gamma, beta: beta).backward(upstream)
            let xhat = withoutGradients { x.layerNorm(gamma: nil, beta: nil) }.scalars, g = upstream.scalars
            var dg = [Double](repeating: 0, count: c), db = [Double](repeating: 0, count: c)
            for r in 0..<rows {
                for j in 0..<c {
                    dg[j] += Double(g[r * c + j]) * Double(xhat[r * c + j])
                    db[j] += Double(g[r * c + j])
                }
            }
            expectClose(gamma.grad!, dg, abs: 1e-4, "dgamma")
            expectClose(beta.grad!, db, abs: 1e-4, "dbeta")
        }

        @Test(arguments: [6, 20])
        func withoutAffine(c: Int) {
            let x = normal([2, 3, c], seed: 4, std: 2)
            let y = x.layerNorm(gamma: nil, beta: nil)
            expectClose(y, reference(x, gamma: nil, beta: nil), abs: 2e-6, "layerNorm without gamma and beta")
            expectGradientsMatch([x], "layerNorm without affine c=\(c)") { $0[0].layerNorm(gamma: nil, beta: nil) }
        }

        @Test func gammaOnly() {
            let x = normal([3, 7], seed: 5, std: 2)
            let gamma = uniform([7], seed: 6, 0.5, 1.5)
            expectClose(x.layerNorm(gamma: gamma, beta: nil), reference(x, gamma: gamma, beta: nil), abs: 2e-6, "layerNorm gamma only")
            expectGradientsMatch([x, gamma], "layerNorm gamma only") { $0[0].layerNorm(gamma: $0[1], beta: nil) }
        }

        @Test func betaOnly() {
            let x = normal([3, 7], seed: 7, std: 2)
            let beta = uniform([7], seed: 8)
            expectClose(x.layerNorm(gamma: nil, beta: beta), reference(x, gamma: nil, beta: beta), abs: 2e-6, "layerNorm beta only")
            expectGradientsMatch([x, beta], "layerNorm beta only") { $0[0].layerNorm(gamma: nil, beta: $0[1]) }
        }

        /// Gamma and beta as constants: only x gets a gradient.
        @Test func frozenAffine() {
            let x = normal([3, 7], seed: 9)
            let gamma = uniform([7], seed: 10, 0.5, 1.5), beta = uniform([7], seed: 11)
            expectGradientsMatch([x], "layerNorm frozen affine") { $0[0].layerNorm(gamma: gamma, beta: beta) }
            #expect(gamma.grad == nil && beta.grad == nil)
        }

        /// The backward must not read buffers the forward has let go of: the rows are large enough
        /// (1024 floats) that freed buffers return to the pool, and reallocating them in between
        /// the forward and the backward overwrites whatever the backward did not keep alive.
        @Test func backwardSurvivesBufferReuse() {
            let c = 256
            let x = normal([4, c], seed: 12, std: 2)
            let gamma = uniform([c], seed: 13, 0.5, 1.5), beta = uniform([c], seed: 14)
            let upstream = normal([4, c], seed: 15)
            func grads(scribble: Bool) -> [[Float]] {
                for t in [x, gamma, beta] { t.requiresGrad = true; t.grad = nil }
                let y = x.layerNorm(gamma: gamma, beta: beta)
                let junk = scribble ? (0..<4).map { _ in Tensor(repeating: 1e6, shape: [4, c]) } : []
                y.backward(upstream)
                _ = junk
                return [x.grad!.scalars, gamma.grad!.scalars, beta.grad!.scalars]
            }
            let unchanged = grads(scribble: false) == grads(scribble: true)
            #expect(unchanged, "the gradients change when freed buffers are reused before the backward")
        }
    }
}
