import Foundation
import Testing
import Tensors

extension TensorSuite {
    @Suite struct Autograd {
        @Test func gradientsAccumulateAcrossBackwardCalls() {
            let x = Tensor([1, -2, 3], shape: [3], requiresGrad: true)
            (x * x).sum().backward()
            #expect(x.grad?.scalars == [2, -4, 6])
            (x * x).sum().backward()
            #expect(x.grad?.scalars == [4, -8, 12])
            (x * 3).sum().backward()
            #expect(x.grad?.scalars == [7, -5, 15])
            x.zeroGrad()
            #expect(x.grad == nil)
            x.sum().backward()
            #expect(x.grad?.scalars == [1, 1, 1])
        }

        @Test func aTensorUsedTwiceGetsTheSum() {
            let x = Tensor([1, -2, 3], shape: [3], requiresGrad: true)
            (x + x).sum().backward()
            #expect(x.grad?.scalars == [2, 2, 2])
            x.zeroGrad()
            (x * x).sum().backward()
            #expect(x.grad?.scalars == [2, -4, 6])
            x.zeroGrad()
            // A diamond: two paths from x meet again.
            let a = x * 2, b = x.squared()
            (a * b).sum().backward()  // d(2x·x²)/dx = 6x²
            #expect(x.grad?.scalars == [6, 24, 54])
            // And through the finite-difference check.
            expectGradientsMatch([uniform([2, 5], seed: 1)], "diamond") { xs in
                let x = xs[0]
                return (x.exp() * x + x.tanh().reshaped([5, 2]).transposed().transposed().reshaped([2, 5])) / (x.squared() + 1)
            }
        }

        @Test func twoLeavesGetIndependentGradients() {
            let a = Tensor([1, 2], shape: [2], requiresGrad: true), b = Tensor([3, 4], shape: [2], requiresGrad: true)
            (a + b).sum().backward()
            a.grad!.scaleInPlace(10)
            #expect(b.grad?.scalars == [1, 1], "a's gradient shares storage with b's")
            // A gradient passed to backward() is not kept as a leaf's gradient.
            let x = Tensor([1, 2, 3, 4], shape: [4], requiresGrad: true)
            let seed = Tensor([1, 1, 1, 1], shape: [2, 2])
            x.reshaped([2, 2]).backward(seed)
            seed.scaleInPlace(5)
            #expect(x.grad?.scalars == [1, 1, 1, 1], "x's gradient shares storage with the seed")
            x.reshaped([2, 2]).backward(seed)
            #expect(x.grad?.scalars == [6, 6, 6, 6])
            #expect(seed.scalars == [5, 5, 5, 5], "accumulating changed the seed")
        }

        @Test func backwardWithAGradientEqualsTheWeightedSum() {
            let x = uniform([2, 3], seed: 2), r = uniform([2, 3], seed: 3)
            x.requiresGrad = true
            x.softmax().backward(r)
            let direct = x.grad!.scalars
            x.zeroGrad()
            (x.softmax() * r).sum().backward()
            expectClose(x.grad!, direct.map(Double.init), abs: 1e-7, rel: 1e-6, "backward(R) vs sum(y·R)")
        }

        @Test func constantsAndDetachedTensorsGetNoGradient() {
            let x = uniform([3], seed: 4), c = uniform([3], seed: 5)
            x.requiresGrad = true
            let y = x * c + x.detached() * 5
            #expect(y.requiresGrad)
            y.sum().backward()
            #expect(c.grad == nil)
            expectClose(x.grad!, c.scalars.map(Double.init), abs: 0, rel: 0, "d(x·c)/dx")
            // Nothing that wants gradients: nothing recorded.
            let z = c.exp() + c
            #expect(!z.requiresGrad)
        }

        @Test func withoutGradientsRecordsNothing() {
            let x = uniform([2, 4], seed: 6), w = uniform([3, 4], seed: 7)
            x.requiresGrad = true
            w.requiresGrad = true
            let results: [Tensor] = withoutGradients {
                #expect(!GradMode.isEnabled)
                let h = Tensor.linear(x, weight: w, bias: nil)
                let nested = withoutGradients { h.softmax() }
                #expect(!GradMode.isEnabled, "a nested block restored recording early")
                return [h, nested, h.layerNorm(gamma: nil, beta: nil), x.reshaped([8]), x.sum(), Tensor.concat([x, x], axis: 0),
                        Tensor.attention(q: x.reshaped([1, 2, 4]), k: x.reshaped([1, 2, 4]), v: x.reshaped([1, 2, 4]), heads: 1, headDim: 4),
                        x.crossEntropy(targets: [0, 1]), x.gelu(), x + w.slice(axis: 0, 0..<2)]
            }
            #expect(GradMode.isEnabled)
            for (i, r) in results.enumerated() { #expect(!r.requiresGrad, "result \(i) records a graph") }
            // The same ops outside record.
            #expect(Tensor.linear(x, weight: w, bias: nil).requiresGrad)
            // Recording resumes even when the body throws.
            struct Failure: Error {}
            _ = try? withoutGradients { () throws -> Int in throw Failure() }
            #expect(GradMode.isEnabled)
        }

        /// One thread's inference does not switch off recording in another thread's training step
        /// (Swift Testing runs tests on many threads at once).
        @Test func gradModeIsPerThread() {
            let entered = DispatchSemaphore(value: 0), leave = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
            let thread = Thread {
                withoutGradients {
                    entered.signal()
                    leave.wait()
                }
                done.signal()
            }
            thread.start()
            entered.wait()
            let x = Tensor([1, 2], shape: [2], requiresGrad: true)
            let recorded = (x * 2).requiresGrad
            let enabled = GradMode.isEnabled
            leave.signal()
            done.wait()
            #expect(enabled && recorded, "another thread's withoutGradients switched off recording here")
        }

        @Test func seededRandomnessRepeats() {
            var g1 = RandomGenerator(seed: 123), g2 = RandomGenerator(seed: 123)
            #expect(Tensor.randn([50], generator: &g1).scalars == Tensor.randn([50], generator: &g2).scalars)
            #expect(Tensor.uniform([50], -1, 1, generator: &g1).scalars == Tensor.uniform([50], -1, 1, generator: &g2).scalars)
            let x = Tensor(repeating: 1, shape: [9, 9])
            #expect(x.dropout(0.5, generator: &g1).scalars == x.dropout(0.5, generator: &g2).scalars)
            // The state round-trips.
            var g3 = RandomGenerator(state: g1.state)
            #expect(g1.next() == g3.next())
        }

        /// A graph is freed as soon as nothing refers to it, whether or not backward ran: no op's
        /// backward keeps its own output alive (a tensor → node → closure → tensor cycle would leak
        /// every activation of every step).
        @Test func graphsAreFreed() {
            let ops: [(String, (Tensor) -> Tensor)] = [
                ("exp", { $0.exp() }), ("log", { ($0.squared() + 1).log() }), ("sqrt", { ($0.squared() + 1).sqrt() }),
                ("squared", { $0.squared() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }), ("relu", { $0.relu() }),
                ("gelu", { $0.gelu() }), ("gelu tanh", { $0.gelu(approximate: true) }),
                ("+", { $0 + $0 }), ("-", { $0 - 1 }), ("*", { $0 * $0 }), ("/", { $0 / ($0.squared() + 1) }),
                ("softmax", { $0.softmax() }), ("logSoftmax", { $0.logSoftmax() }),
                ("layerNorm", { $0.layerNorm(gamma: nil, beta: nil) }),
                ("sum", { $0.sum() }), ("sum(axis:)", { $0.sum(axis: 1) }), ("max", { $0.max() }),
                ("reshaped", { $0.reshaped([6, 4]) }), ("permuted", { $0.permuted([2, 0, 1]) }),
                ("slice", { $0.slice(axis: 1, 0..<2) }), ("concat", { Tensor.concat([$0, $0], axis: 0) }),
                ("matmul", { Tensor.matmul($0, $0, transposeB: true) }),
                ("linear", { Tensor.linear($0, weight: $0.reshaped([6, 4]), bias: nil) }),
                ("attention", { Tensor.attention(q: $0, k: $0, v: $0, heads: 2, headDim: 2) }),
                ("crossEntropy", { $0.reshaped([6, 4]).crossEntropy(targets: [0, 1, 2, 3, 0, 1]) }),
                ("dropout", { x in
                    var g = RandomGenerator(seed: 1)
                    return x.dropout(0.5, generator: &g)
                }),
                ("maskedFill", { $0.maskedFill(Tensor([1, 0, 0, 1], shape: [4]), value: 0) }),
                ("gatherRows", { $0.reshaped([6, 4]).gatherRows([0, 5, 5], shape: [3]) }),
            ]
            for (name, op) in ops {
                for runBackward in [false, true] {
                    weak var output: Tensor?
                    do {
                        let x = uniform([2, 3, 4], seed: 1)
                        x.requiresGrad = true
                        let y = op(x)
                        output = y
                        if runBackward { y.sum().backward() }
                    }
                    #expect(output == nil, "\(name): the result outlives its last reference (backward: \(runBackward))")
                }
            }
        }

        /// A long chain back-propagates without deep recursion.
        @Test func longChain() {
            let x = Tensor([0.5], shape: [1], requiresGrad: true)
            var y = x
            for _ in 0..<5000 { y = y * 1 + 0 }
            y.sum().backward()
            #expect(x.grad?.scalars == [1])
        }
    }
}
