import Foundation
import Testing
import Tensors

extension TensorSuite {
    @Suite struct Reductions {
        @Test func sumAll() {
            let x = uniform([2, 3, 5], seed: 1)
            #expect(Swift.abs(Double(x.sum().item) - x.scalars.reduce(0.0) { $0 + Double($1) }) < 1e-5)
            #expect(x.sum().shape == [])
            expectGradientsMatch([x], "sum()") { $0[0].sum() }
        }

        @Test func sumOfSquaresOverBlocksAndTail() {
            for n in [5, 4096, 70_001] {  // tail only, one block, many blocks and a tail
                let x = uniform([n], seed: 3, -2, 2)
                let exact = x.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
                #expect(Swift.abs(x.sumOfSquares() - exact) <= 1e-6 * Swift.max(1, exact), "n = \(n)")
            }
        }

        @Test func meanAll() {
            let x = uniform([2, 3, 5], seed: 2)
            #expect(Swift.abs(Double(x.mean().item) - x.scalars.reduce(0.0) { $0 + Double($1) } / 30) < 1e-6)
            expectGradientsMatch([x], "mean()") { $0[0].mean() }
        }

        /// Sum or mean along one axis, written out.
        func reference(_ x: Tensor, axis: Int, mean: Bool) -> [Double] {
            let shape = x.shape, ax = axis < 0 ? shape.count + axis : axis
            var out = shape
            out[ax] = 1
            var r = [Double](repeating: 0, count: out.reduce(1, *))
            let os = strides(of: out)
            for (f, v) in x.scalars.enumerated() {
                var idx = multiIndex(f, shape)
                idx[ax] = 0
                r[zip(idx, os).map(*).reduce(0, +)] += Double(v) / (mean ? Double(shape[ax]) : 1)
            }
            return r
        }

        @Test(arguments: [0, 1, 2, -1, -2])
        func sumAxis(axis: Int) {
            let x = uniform([2, 3, 20], seed: 3)
            for keep in [false, true] {
                let y = x.sum(axis: axis, keepDims: keep)
                var shape = x.shape
                let ax = axis < 0 ? 3 + axis : axis
                if keep { shape[ax] = 1 } else { shape.remove(at: ax) }
                #expect(y.shape == shape)
                expectClose(y, reference(x, axis: axis, mean: false), "sum(axis: \(axis))")
                expectGradientsMatch([x], "sum(axis: \(axis), keepDims: \(keep))") { $0[0].sum(axis: axis, keepDims: keep) }
            }
        }

        @Test(arguments: [0, 1, 2, -1])
        func meanAxis(axis: Int) {
            let x = uniform([2, 3, 4], seed: 4)
            expectClose(x.mean(axis: axis), reference(x, axis: axis, mean: true), "mean(axis: \(axis))")
            expectGradientsMatch([x], "mean(axis: \(axis))") { $0[0].mean(axis: axis) }
            expectGradientsMatch([x], "mean(axis: \(axis), keepDims)") { $0[0].mean(axis: axis, keepDims: true) }
        }

        @Test func maxLastAxis() {
            // Distinct values 0.1 apart, shuffled, so a ±0.01 step never changes the argmax.
            var g = RandomGenerator(seed: 5)
            let values = (0..<30).map { Float($0) * 0.1 - 1.5 }.shuffled(using: &g)
            let x = Tensor(values, shape: [2, 3, 5])
            let y = x.max(axis: -1)
            #expect(y.shape == [2, 3])
            let rows = (0..<6).map { r in values[(r * 5)..<(r * 5 + 5)].max()! }
            #expect(y.scalars == rows)
            #expect(x.argmax() == (0..<6).map { r in values[(r * 5)..<(r * 5 + 5)].firstIndex(of: rows[r])! - r * 5 })
            expectGradientsMatch([x], "max(axis: -1)") { $0[0].max(axis: -1) }
            expectGradientsMatch([x], "max(axis: 2)") { $0[0].max(axis: 2) }
        }

        /// Ties send the gradient to the first maximal element only.
        @Test func maxTieGoesToFirst() {
            let x = Tensor([1, 3, 3, 0], shape: [1, 4], requiresGrad: true)
            x.max().sum().backward()
            #expect(x.grad?.scalars == [0, 1, 0, 0])
        }
    }

    @Suite struct ShapeOps {
        @Test func reshaped() {
            let x = uniform([2, 3, 4], seed: 1)
            let y = x.reshaped([4, -1])
            #expect(y.shape == [4, 6])
            #expect(y.scalars == x.scalars)
            #expect(x.reshaped([-1]).shape == [24])
            expectGradientsMatch([x], "reshaped") { $0[0].reshaped([6, -1]) }
            // Through a reshape and on into an op that uses the new shape.
            expectGradientsMatch([x], "reshaped then softmax") { $0[0].reshaped([4, 6]).softmax() }
        }

        @Test func permuted() {
            let x = uniform([2, 3, 4], seed: 2)
            let order = [2, 0, 1]
            let y = x.permuted(order)
            #expect(y.shape == [4, 2, 3])
            var expected = [Double](repeating: 0, count: 24)
            let ys = strides(of: y.shape)
            for (f, v) in x.scalars.enumerated() {
                let i = multiIndex(f, x.shape)
                expected[zip(order.map { i[$0] }, ys).map(*).reduce(0, +)] = Double(v)
            }
            expectClose(y, expected, abs: 0, rel: 0, "permuted")
            for order in [[2, 0, 1], [1, 2, 0], [0, 2, 1], [2, 1, 0], [0, 1, 2]] {
                expectGradientsMatch([x], "permuted(\(order))") { $0[0].permuted(order) }
            }
            let w = uniform([2, 3, 4, 5], seed: 3)
            expectGradientsMatch([w], "permuted rank 4") { $0[0].permuted([0, 2, 1, 3]) }
        }

        @Test func transposed() {
            let x = uniform([2, 3, 4], seed: 4)
            let y = x.transposed()
            #expect(y.shape == [2, 4, 3])
            for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(y[flat: i * 12 + k * 3 + j] == x[flat: i * 12 + j * 4 + k]) } } }
            expectGradientsMatch([x], "transposed()") { $0[0].transposed() }
            expectGradientsMatch([x], "transposed(0, 2)") { $0[0].transposed(0, 2) }
            expectGradientsMatch([x], "transposed(0, 1)") { $0[0].transposed(0, 1) }
        }

        @Test(arguments: [(0, 1..<2), (1, 0..<2), (1, 1..<3), (2, 1..<3), (-1, 0..<4)])
        func slice(axis: Int, range: Range<Int>) {
            let x = uniform([2, 3, 4], seed: 5)
            let y = x.slice(axis: axis, range)
            let ax = axis < 0 ? 3 + axis : axis
            var shape = x.shape
            shape[ax] = range.count
            #expect(y.shape == shape)
            var expected: [Double] = []
            for (f, v) in x.scalars.enumerated() where range.contains(multiIndex(f, x.shape)[ax]) { expected.append(Double(v)) }
            expectClose(y, expected, abs: 0, rel: 0, "slice")
            expectGradientsMatch([x], "slice(axis: \(axis), \(range))") { $0[0].slice(axis: axis, range) }
        }

        @Test(arguments: [0, 1, 2, -1])
        func concat(axis: Int) {
            let ax = axis < 0 ? 3 + axis : axis
            var sa = [2, 3, 4], sb = [2, 3, 4], sc = [2, 3, 4]
            sa[ax] = 1; sb[ax] = 2; sc[ax] = 3
            let a = uniform(sa, seed: 6), b = uniform(sb, seed: 7), c = uniform(sc, seed: 8)
            let y = Tensor.concat([a, b, c], axis: axis)
            var shape = sa
            shape[ax] = 6
            #expect(y.shape == shape)
            // Slicing the result back gives the parts.
            #expect(y.slice(axis: axis, 0..<1).scalars == a.scalars)
            #expect(y.slice(axis: axis, 1..<3).scalars == b.scalars)
            #expect(y.slice(axis: axis, 3..<6).scalars == c.scalars)
            expectGradientsMatch([a, b, c], "concat(axis: \(axis))") { Tensor.concat($0, axis: axis) }
        }

        /// A part that wants no gradient is skipped; the others still get theirs.
        @Test func concatWithConstantPart() {
            let a = uniform([2, 3], seed: 9), constant = uniform([2, 2], seed: 10)
            expectGradientsMatch([a], "concat with a constant") { Tensor.concat([$0[0], constant], axis: 1) }
            #expect(constant.grad == nil)
        }
    }

    @Suite struct Indexing {
        @Test func gatherRowsWithRepeatedIds() {
            let table = uniform([5, 4], seed: 1)
            let ids: [Int32] = [1, 3, 1, 0, 1, 4]
            let y = table.gatherRows(ids, shape: [2, 3])
            #expect(y.shape == [2, 3, 4])
            var expected: [Double] = []
            for id in ids { expected += table.scalars[(Int(id) * 4)..<(Int(id) * 4 + 4)].map(Double.init) }
            expectClose(y, expected, abs: 0, rel: 0, "gatherRows")
            expectGradientsMatch([table], "gatherRows") { $0[0].gatherRows(ids, shape: [2, 3]) }

            // Scatter-add: row 1 is used three times, row 2 never.
            table.grad = nil
            let upstream = uniform([2, 3, 4], seed: 2)
            table.gatherRows(ids, shape: [2, 3]).backward(upstream)
            let g = table.grad!.scalars, u = upstream.scalars
            for c in 0..<4 {
                #expect(Swift.abs(g[4 + c] - (u[c] + u[8 + c] + u[16 + c])) < 1e-6)
                #expect(g[8 + c] == 0)
                #expect(g[c] == u[12 + c])
            }
        }

        @Test func maskedFill() {
            let x = uniform([2, 3, 4], seed: 3)
            let mask = Tensor([1, 0, 0, 1, 0, 1, 0, 0], shape: [2, 1, 4])
            let y = x.maskedFill(mask, value: -7)
            var expected: [Double] = []
            for (f, v) in x.scalars.enumerated() {
                let i = multiIndex(f, x.shape)
                expected.append(mask[flat: i[0] * 4 + i[2]] != 0 ? -7 : Double(v))
            }
            expectClose(y, expected, abs: 0, rel: 0, "maskedFill")
            expectGradientsMatch([x], "maskedFill") { $0[0].maskedFill(mask, value: -7) }
            x.grad = nil
            x.maskedFill(mask, value: -7).sum().backward()
            let g = x.grad!.scalars
            for f in 0..<24 {
                let i = multiIndex(f, x.shape)
                #expect(g[f] == (mask[flat: i[0] * 4 + i[2]] != 0 ? 0 : 1))
            }
        }

        @Test func dropoutGradientIsTheMask() {
            let p: Float = 0.3, scale = 1 / (1 - p)
            let x = uniform([3, 7], seed: 4, 0.5, 1.5)  // nonzero, odd count: the last element takes its own draw
            var gen = RandomGenerator(seed: 42)
            let y = x.dropout(p, generator: &gen)
            let mask = zip(y.scalars, x.scalars).map { $0 / $1 }
            for m in mask { #expect(m == 0 || Swift.abs(m - scale) < 1e-6) }
            #expect(mask.contains(0) && mask.contains { $0 != 0 })
            x.grad = nil
            x.requiresGrad = true
            var gen2 = RandomGenerator(seed: 42)
            x.dropout(p, generator: &gen2).sum().backward()
            #expect(x.grad!.scalars == mask.map { $0 == 0 ? 0 : scale })
            // With the generator reseeded on every call the mask is a constant, so the check applies.
            expectGradientsMatch([x], "dropout") { xs in
                var gen = RandomGenerator(seed: 42)
                return xs[0].dropout(p, generator: &gen)
            }
        }

        /// The fused residual x + dropout(y) equals the two steps bit for bit (with the generator in
        /// the same state), over the vector loop and a tail; x's gradient passes through, y's is the
        /// mask.
        @Test func addingDropoutEqualsAddAfterDropout() {
            let x = uniform([5, 13], seed: 5), y = uniform([5, 13], seed: 6)
            x.requiresGrad = true
            y.requiresGrad = true
            var g1 = RandomGenerator(seed: 43), g2 = RandomGenerator(seed: 43)
            let fused = x.addingDropout(y, 0.3, generator: &g1), plain = x + y.dropout(0.3, generator: &g2)
            #expect(fused.scalars == plain.scalars)
            #expect(fused.scalars != (x + y).scalars)
            let upstream = uniform([5, 13], seed: 7)
            fused.backward(upstream)
            let (gx, gy) = (x.grad!.scalars, y.grad!.scalars)
            x.grad = nil
            y.grad = nil
            plain.backward(upstream)
            #expect(gx == upstream.scalars && gx == x.grad!.scalars)
            #expect(gy == y.grad!.scalars)
            #expect(g1.next() == g2.next(), "one draw each")
        }

        @Test func dropoutRateAndDeterminism() {
            let x = Tensor(repeating: 1, shape: [100, 101])
            var g1 = RandomGenerator(seed: 7), g2 = RandomGenerator(seed: 7), g3 = RandomGenerator(seed: 8)
            let a = x.dropout(0.25, generator: &g1), b = x.dropout(0.25, generator: &g2), c = x.dropout(0.25, generator: &g3)
            #expect(a.scalars == b.scalars, "same seed, same mask")
            #expect(a.scalars != c.scalars, "another seed, another mask")
            let dropped = Double(a.scalars.filter { $0 == 0 }.count) / Double(a.count)
            #expect(Swift.abs(dropped - 0.25) < 0.02, "dropped \(dropped)")
            // The scale keeps the expectation.
            #expect(Swift.abs(Double(a.mean().item) - 1) < 0.03)
            // A second mask from the same generator differs from the first.
            #expect(x.dropout(0.25, generator: &g1).scalars != a.scalars)
            // p = 0 is the identity.
            var g4 = RandomGenerator(seed: 9)
            #expect(x.dropout(0, generator: &g4).scalars == x.scalars)
        }
    }
}
