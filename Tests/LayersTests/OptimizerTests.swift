import Foundation
import Layers
import Tensors
import Testing

/// Optimizers, clipping and schedules against torch.optim (fixture `optimizers.safetensors`) and
/// the formulas they implement.
@Suite struct OptimizerTests {
    func run(_ name: String, make: ([Tensor]) -> any Optimizer) throws {
        let fx = try TorchFixture("optimizers")
        let p = try fx.tensor("input.p0", requiresGrad: true)
        let optimizer = make([p])
        for step in 1...3 {
            p.grad = try fx.tensor("input.g\(step)")
            optimizer.step()
            expectClose(p, try fx.tensor("output.\(name).step\(step)"), rtol: 1e-5, "\(name) after step \(step)")
        }
    }

    @Test func adamMatchesTorch() throws {
        try run("adam") { Adam(parameters: $0, learningRate: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-9, weightDecay: 0.01) }
    }

    @Test func adamWMatchesTorch() throws {
        try run("adamw") { Adam.adamW(parameters: $0, learningRate: 1e-2, weightDecay: 0.1) }
    }

    /// Adam's update (a C kernel: 16 lanes, a scalar head and tail, non-temporal stores) gives the
    /// bits of the formulas written out in Swift, one rounding per operation, with both kinds of
    /// weight decay and a gradient scale: 40,004 elements, which the update splits into two ranges,
    /// the second starting off a 64-byte boundary.
    @Test func adamUpdateEqualsTheFormulasBitForBit() {
        for decoupled in [false, true] {
            var g = RandomGenerator(seed: 7)
            let n = 40_004
            let start = Tensor.randn([n], generator: &g), grads = (0..<3).map { _ in Tensor.randn([n], generator: &g) }
            let whole = start.copy()
            whole.requiresGrad = true
            let (lr, b1, b2, eps, wd, scale): (Float, Float, Float, Float, Float, Float) = (1e-2, 0.9, 0.999, 1e-8, 0.1, 0.75)
            let adam = Adam(parameters: [whole], learningRate: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd, decoupledWeightDecay: decoupled)
            var p = start.scalars, m = [Float](repeating: 0, count: n), v = m
            for (step, grad) in grads.enumerated() {
                whole.grad = grad.copy()
                adam.step(gradientScale: scale)
                let t = Float(step + 1)
                let stepSize = lr / (1 - Foundation.pow(b1, t)), rc2 = 1 / (1 - Foundation.pow(b2, t)).squareRoot()
                let gs = grad.scalars
                for j in 0..<n {
                    var gj = gs[j] * scale
                    if decoupled { p[j] = p[j] * (1 - lr * wd) } else { gj = gj + wd * p[j] }
                    let a = b1 * m[j], b = (1 - b1) * gj
                    m[j] = a + b
                    let c = b2 * v[j], d = (1 - b2) * gj * gj
                    v[j] = c + d
                    let num = stepSize * m[j], den = v[j].squareRoot() * rc2 + eps
                    p[j] = p[j] - num / den
                }
            }
            #expect(whole.scalars == p, "decoupled: \(decoupled)")
            #expect(adam.m[0].scalars == m && adam.v[0].scalars == v)
            #expect(whole.scalars != start.scalars)
        }
    }

    @Test func sgdWithMomentumMatchesTorch() throws {
        try run("sgd") { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3) }
    }

    @Test func gradientClippingMatchesTorch() throws {
        let fx = try TorchFixture("optimizers")
        let q = Tensor(zeros: [4, 3], requiresGrad: true)
        q.grad = try fx.tensor("input.clip_grad")
        let norm = clipGradientNorm([q], maxNorm: 1)
        #expect(abs(norm - (try fx.tensor("output.clip_norm").item)) < 1e-5)
        expectClose(q.grad, try fx.tensor("output.clip_grad"), "clipped gradient")
    }

    /// Clipping folded into the update (`step(gradientScale:)`) ends bit-identical to clipping the
    /// gradients first, for Adam's vector loop and tail and for SGD; a norm within the bound leaves
    /// the scale at 1.
    @Test func scaledStepEqualsClippingFirst() {
        var g = RandomGenerator(seed: 8)
        let start = Tensor.randn([37], generator: &g), grad = Tensor.randn([37], generator: &g)
                let makers: [(Tensor) -> any Optimizer] = [
            { Adam.adamW(parameters: [$0], learningRate: 1e-2, weightDecay: 0.1) },
            { SGD(parameters: [$0], learningRate: 0.1, weightDecay: 1e-3) },
        ]
        for make in makers {
            let clipped = start.copy(), folded = start.copy()
            let a = make(clipped), b = make(folded)
            clipped.grad = grad.copy()
            clipGradientNorm([clipped], maxNorm: 0.5)
            a.step()
            folded.grad = grad.copy()
            let (norm, scale) = gradientClipping([folded], maxNorm: 0.5)
            #expect(gradientClipping([folded], maxNorm: 100).scale == 1)
            #expect(scale < 1 && abs(norm - Float(grad.sumOfSquares().squareRoot())) < 1e-5)
            b.step(gradientScale: scale)
            #expect(clipped.scalars == folded.scalars, "\(type(of: a))")
            #expect(folded.scalars != start.scalars)
        }
    }

    /// Two half batches accumulated equal one full batch (the loss scaled by 1/2 each).
    @Test func gradientAccumulationEqualsOneLargeBatch() {
        var g = RandomGenerator(seed: 5)
        let layer = Linear(4, 3, generator: &g)
        let x = Tensor.randn([6, 4], generator: &g)
        let target: [Int32] = [0, 1, 2, 1, 0, 2]
        layer(x).crossEntropy(targets: target).backward()
        let full = layer.weight.grad!.scalars
        layer.zeroGrad()
        for half in [0..<3, 3..<6] {
            (layer(x.slice(axis: 0, half)).crossEntropy(targets: Array(target[half])) * 0.5).backward()
        }
        let accumulated = layer.weight.grad!.scalars
        #expect(zip(full, accumulated).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    /// The paper's schedule: linear warm-up to d^-0.5·warmup^-0.5 at step = warmup, then 1/√step.
    @Test func inverseSqrtScheduleFollowsThePaper() {
        let s = InverseSqrtSchedule(dModel: 512, warmup: 4000)
        let peak = Float(pow(512.0, -0.5) * pow(4000.0, -0.5))
        #expect(abs(s.learningRate(step: 4000) - peak) < 1e-9)
        #expect(abs(s.learningRate(step: 2000) - peak / 2) < 1e-9)
        #expect(abs(s.learningRate(step: 16000) - peak / 2) < 1e-9)
        #expect(s.learningRate(step: 100) < s.learningRate(step: 200))
    }

    @Test func cosineScheduleWarmsUpThenDecaysToTheMinimum() {
        let s = CosineSchedule(peak: 1, warmup: 10, total: 110, minimum: 0.1)
        #expect(s.learningRate(step: 0) < s.learningRate(step: 5))
        #expect(abs(s.learningRate(step: 10) - 1) < 1e-6)
        #expect(abs(s.learningRate(step: 60) - 0.55) < 1e-6)
        #expect(abs(s.learningRate(step: 110) - 0.1) < 1e-6)
    }
}
