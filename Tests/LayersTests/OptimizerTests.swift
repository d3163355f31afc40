import Foundation
import Layers
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

    /// Adam's 16-lane loop does the scalar loop's arithmetic: a 37-element parameter (two vectors
    /// and a tail) ends bit-identical to 37 one-element parameters, with both kinds of weight decay.
    @Test func adamVectorLoopEqualsScalarLoop() {
        for decoupled in [false, true] {
            var g = RandomGenerator(seed: 7)
            let start = Tensor.randn([37], generator: &g), grads = (0..<3).map { _ in Tensor.randn([37], generator: &g) }
            let whole = start.copy()
            whole.requiresGrad = true
            let singles = start.scalars.map { Tensor([$0], shape: [1], requiresGrad: true) }
            let a = Adam(parameters: [whole], learningRate: 1e-2, weightDecay: 0.1, decoupledWeightDecay: decoupled)
            let b = Adam(parameters: singles, learningRate: 1e-2, weightDecay: 0.1, decoupledWeightDecay: decoupled)
            for step in grads {
                whole.grad = step.copy()
                for (i, s) in singles.enumerated() { s.grad = Tensor([step.scalars[i]], shape: [1]) }
                a.step()
                b.step()
            }
            #expect(whole.scalars == singles.map { $0.scalars[0] }, "decoupled: \(decoupled)")
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
