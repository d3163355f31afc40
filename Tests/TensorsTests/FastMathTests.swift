import Foundation
import Testing
import Tensors

extension TensorSuite {
    @Suite struct FastMath {
        /// Applies a 16-lane function to every element of `xs`.
        func apply(_ xs: [Float], _ f: (Vec) -> Vec) -> [Float] {
            var out: [Float] = []
            out.reserveCapacity(xs.count)
            var i = 0
            while i < xs.count {
                var v = Vec()
                let n = Swift.min(16, xs.count - i)
                for j in 0..<n { v[j] = xs[i + j] }
                let r = f(v)
                for j in 0..<n { out.append(r[j]) }
                i += 16
            }
            return out
        }

        /// A dense grid over [lo, hi] plus random points in it.
        func points(_ lo: Float, _ hi: Float, grid: Int = 40_000, random: Int = 20_000, seed: UInt64 = 1) -> [Float] {
            var xs = (0...grid).map { lo + (hi - lo) * Float($0) / Float(grid) }
            var g = RandomGenerator(seed: seed)
            for _ in 0..<random { xs.append(lo + (hi - lo) * g.nextFloat()) }
            return xs + [0, -0.0, 1, -1, 1e-6, -1e-6]
        }

        @Test func expRelativeError() {
            let xs = points(-80, 80)
            var worst = 0.0, at: Float = 0
            for (x, y) in zip(xs, apply(xs, vexp)) {
                let e = Foundation.exp(Double(x))
                let err = Swift.abs(Double(y) - e) / e
                if err > worst { worst = err; at = x }
            }
            #expect(worst < 1e-6, "vexp: worst relative error \(worst) at \(at)")
            #expect(apply([0], vexp) == [1])
        }

        /// Below the smallest normal result e^x is 0, as the masked logits of softmax need; above
        /// the largest it saturates at a huge finite value.
        @Test func expUnderflowAndOverflow() {
            let y = apply([-.infinity, -1000, -104, -88, -87, 88, 89, .infinity], vexp)
            #expect(y[0] == 0, "vexp(-inf) = \(y[0])")
            #expect(y[1] == 0, "vexp(-1000) = \(y[1])")
            #expect(y[2] <= Float.leastNormalMagnitude, "vexp(-104) = \(y[2])")
            #expect(y[3] <= Float.leastNormalMagnitude, "vexp(-88) = \(y[3])")
            #expect(Swift.abs(Double(y[4]) / Foundation.exp(-87.0) - 1) < 1e-6, "vexp(-87) = \(y[4])")
            #expect(Swift.abs(Double(y[5]) / Foundation.exp(88.0) - 1) < 1e-6, "vexp(88) = \(y[5])")
            #expect(y[6] > 1e38 && y[7] > 1e38, "vexp(89) = \(y[6]), vexp(inf) = \(y[7])")
            #expect(apply([.nan], vexp)[0].isNaN)
        }

        @Test func tanhAbsoluteError() {
            let xs = points(-10, 10)
            var worst = 0.0, at: Float = 0
            for (x, y) in zip(xs, apply(xs, vtanh)) {
                let err = Swift.abs(Double(y) - Foundation.tanh(Double(x)))
                if err > worst { worst = err; at = x }
            }
            #expect(worst < 2e-7, "vtanh: worst absolute error \(worst) at \(at)")
            #expect(apply([30, -30, 0], vtanh) == [1, -1, 0])
        }

        @Test func erfAbsoluteError() {
            let xs = points(-6, 6) + [0.8, -0.8, 0.79999995, 0.8000001, 1e-30, -1e-30]
            var worst = 0.0, at: Float = 0
            for (x, y) in zip(xs, apply(xs, verf)) {
                let err = Swift.abs(Double(y) - Foundation.erf(Double(x)))
                if err > worst { worst = err; at = x }
            }
            #expect(worst < 2e-7, "verf: worst absolute error \(worst) at \(at)")
            #expect(apply([30, -30, .infinity, -.infinity], verf) == [1, -1, 1, -1])
            #expect(apply([.nan], verf)[0].isNaN)
        }

        /// The tensor ops built on them, at sizes with full vectors and a tail.
        @Test func tensorOpsUseThem() {
            let x = uniform([3, 37], seed: 2, -20, 20)
            expectClose(x.exp(), x.scalars.map { Foundation.exp(Double($0)) }, abs: 0, rel: 1e-6, "exp")
            expectClose(x.tanh(), x.scalars.map { Foundation.tanh(Double($0)) }, abs: 2e-7, rel: 0, "tanh")
            expectClose(x.sigmoid(), x.scalars.map { 1 / (1 + Foundation.exp(-Double($0))) }, abs: 2e-7, rel: 1e-6, "sigmoid")
        }
    }
}
