import Foundation
import Testing
import Tensors

extension TensorSuite {
    @Suite struct Elementwise {
        /// (name, op on tensors, op on doubles)
        static let ops: [(String, (Tensor, Tensor) -> Tensor, (Double, Double) -> Double)] = [
            ("+", { $0 + $1 }, { $0 + $1 }),
            ("-", { $0 - $1 }, { $0 - $1 }),
            ("*", { $0 * $1 }, { $0 * $1 }),
            ("/", { $0 / $1 }, { $0 / $1 }),
        ]

        /// Gradient and forward of every binary op for a pair of shapes. `b` stays in [0.5, 1.5) so
        /// division is smooth.
        func checkBinary(_ sa: [Int], _ sb: [Int], sourceLocation: SourceLocation = #_sourceLocation) {
            for (i, (name, op, ref)) in Self.ops.enumerated() {
                let a = uniform(sa, seed: 10 + UInt64(i))
                let b = uniform(sb, seed: 20 + UInt64(i), 0.5, 1.5)
                // Forward against NumPy broadcasting written out.
                let out = broadcastShape(sa, sb)
                var expected: [Double] = []
                let av = a.scalars, bv = b.scalars
                for f in 0..<out.reduce(1, *) {
                    let idx = multiIndex(f, out)
                    func pick(_ v: [Float], _ s: [Int]) -> Double {
                        let off = out.count - s.count
                        let st = strides(of: s)
                        var p = 0
                        for d in 0..<s.count where s[d] != 1 { p += idx[d + off] * st[d] }
                        return Double(v[p])
                    }
                    expected.append(ref(pick(av, sa), pick(bv, sb)))
                }
                let y = withoutGradients { op(a, b) }
                #expect(y.shape == out, "\(sa) \(name) \(sb)", sourceLocation: sourceLocation)
                expectClose(y, expected, "\(sa) \(name) \(sb) forward", sourceLocation: sourceLocation)
                expectGradientsMatch([a, b], "\(sa) \(name) \(sb)", sourceLocation: sourceLocation) { op($0[0], $0[1]) }
            }
        }

        @Test func sameShape() { checkBinary([2, 3, 5], [2, 3, 5]) }
        @Test func sameShapeLongerThanOneVector() { checkBinary([3, 20], [3, 20]) }
        @Test func scalarTensorRight() { checkBinary([2, 3, 4], []) }
        @Test func scalarTensorLeft() { checkBinary([], [2, 3, 4]) }
        @Test func oneElementTensor() { checkBinary([2, 3], [1]) }
        @Test func trailingBroadcast() { checkBinary([2, 3, 4], [4]) }
        @Test func trailingBroadcastWithUnitDims() { checkBinary([2, 3, 4], [1, 4]) }
        @Test func trailingBroadcastWideRows() { checkBinary([3, 20], [20]) }
        @Test func trailingBroadcastOnTheLeft() { checkBinary([4], [2, 3, 4]) }
        @Test func generalBroadcast() { checkBinary([2, 1, 4], [3, 1]) }
        @Test func generalBroadcastMiddle() { checkBinary([2, 3, 4], [3, 1]) }
        @Test func generalBroadcastBothWays() { checkBinary([3, 1], [2, 1, 4]) }

        @Test func floatScalars() {
            let a = uniform([2, 3, 4], seed: 1)
            let cases: [(String, (Tensor) -> Tensor, (Double) -> Double)] = [
                ("a + 2", { $0 + 2 }, { $0 + 2 }),
                ("a - 2", { $0 - 2 }, { $0 - 2 }),
                ("a * 3", { $0 * 3 }, { $0 * 3 }),
                ("a / 4", { $0 / 4 }, { $0 / 4 }),
                ("3 * a", { 3 * $0 }, { 3 * $0 }),
                ("2 + a", { 2 + $0 }, { 2 + $0 }),
                ("2 - a", { 2 - $0 }, { 2 - $0 }),
                ("-a", { -$0 }, { -$0 }),
            ]
            for (name, op, ref) in cases {
                expectClose(withoutGradients { op(a) }, a.scalars.map { ref(Double($0)) }, name)
                expectGradientsMatch([a], name) { op($0[0]) }
            }
        }

        // MARK: Unary functions

        func checkUnary(_ name: String, _ x: Tensor, abs: Double = 1e-6, rel: Double = 1e-6, eps: Float = 1e-2,
                        _ op: @escaping (Tensor) -> Tensor, _ ref: (Double) -> Double,
                        sourceLocation: SourceLocation = #_sourceLocation) {
            expectClose(withoutGradients { op(x) }, x.scalars.map { ref(Double($0)) }, abs: abs, rel: rel, "\(name) forward",
                        sourceLocation: sourceLocation)
            expectGradientsMatch([x], eps: eps, name, sourceLocation: sourceLocation) { op($0[0]) }
        }

        // [2, 3, 7] = 42 elements: two full 16-lane vectors and a tail.
        static let shape = [2, 3, 7]

        @Test func exp() { checkUnary("exp", uniform(Self.shape, seed: 2, -3, 3), { $0.exp() }, Foundation.exp) }
        @Test func log() { checkUnary("log", uniform(Self.shape, seed: 3, 0.3, 3), { $0.log() }, Foundation.log) }
        @Test func sqrt() { checkUnary("sqrt", uniform(Self.shape, seed: 4, 0.3, 3), { $0.sqrt() }, Foundation.sqrt) }
        @Test func squared() { checkUnary("squared", uniform(Self.shape, seed: 5, -2, 2), { $0.squared() }, { $0 * $0 }) }
        @Test func tanh() { checkUnary("tanh", uniform(Self.shape, seed: 6, -3, 3), { $0.tanh() }, Foundation.tanh) }
        @Test func sigmoid() {
            checkUnary("sigmoid", uniform(Self.shape, seed: 7, -5, 5), { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) })
        }
        @Test func relu() {
            checkUnary("relu", awayFromZero(Self.shape, seed: 8), { $0.relu() }, { Swift.max(0, $0) })
        }
        @Test func geluExact() {
            checkUnary("gelu erf", uniform(Self.shape, seed: 9, -4, 4), { $0.gelu(approximate: false) },
                       { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) })
        }
        @Test func geluTanh() {
            checkUnary("gelu tanh", uniform(Self.shape, seed: 10, -4, 4), { $0.gelu(approximate: true) },
                       { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) })
        }

        /// GELU at the wide range a network produces, against the exact formulas.
        @Test func geluForwardWideRange() {
            let xs = (0..<801).map { Float(-10 + 0.025 * Double($0)) }
            let x = Tensor(xs, shape: [xs.count])
            expectClose(x.gelu(approximate: false), xs.map { let v = Double($0); return 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot())) },
                        abs: 5e-7, rel: 2e-6, "gelu erf")
            expectClose(x.gelu(approximate: true), xs.map { v -> Double in
                let v = Double(v)
                return 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            }, abs: 5e-7, rel: 2e-6, "gelu tanh")
        }

        /// The relu gradient is 0 for negative inputs and 1 for positive ones.
        @Test func reluGradientIsAStep() {
            let x = Tensor([-2, -0.5, 0.5, 3], shape: [4], requiresGrad: true)
            x.relu().sum().backward()
            #expect(x.grad?.scalars == [0, 0, 1, 1])
        }
    }
}
