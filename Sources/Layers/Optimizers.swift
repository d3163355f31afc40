import CKernels
import Foundation
import Tensors

/// Something that updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Applies one update from the parameters' current gradients, each multiplied by
    /// `gradientScale` first (parameters without one are skipped).
    func step(gradientScale: Float)
}

extension Optimizer {
    /// Applies one update from the parameters' current gradients.
    public func step() { step(gradientScale: 1) }
}

/// Adam (Kingma & Ba 2015) with bias correction; with `decoupledWeightDecay` it is AdamW
/// (Loshchilov & Hutter 2019), otherwise weight decay is L2 added to the gradient, as `torch.optim.Adam`.
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    /// First and second moment estimates, one per parameter.
    public private(set) var m: [Tensor]
    public private(set) var v: [Tensor]
    public private(set) var stepCount = 0

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        m = parameters.map { Tensor(zeros: $0.shape) }
        v = parameters.map { Tensor(zeros: $0.shape) }
    }

    /// AdamW with PyTorch's default weight decay.
    public static func adamW(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             eps: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps,
             weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step(gradientScale gs: Float) {
        stepCount += 1
        let t = Float(stepCount)
        let c1 = 1 - Foundation.pow(beta1, t), c2 = 1 - Foundation.pow(beta2, t)
        // p -= lr/c1 · m / (sqrt(v/c2) + eps), as torch.optim.Adam.
        let stepSize = learningRate / c1, rc2 = 1 / c2.squareRoot()
        let b1 = beta1, b2 = beta2, e = eps, wd = weightDecay, decoupled = decoupledWeightDecay, lr = learningRate
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let pp = p.data, gp = g.data, mp = m[i].data, vp = v[i].data
            Parallel.forRanges(p.count, grain: 16384) { r in
                let j = r.lowerBound
                zoo_adam_update(pp + j, gp + j, mp + j, vp + j, r.count, gs, lr, wd, decoupled ? 1 : 0, b1, b2, stepSize, rc2, e)
            }
        }
    }

    /// Restores the moments and step count (from a checkpoint).
    public func restore(m: [Tensor], v: [Tensor], step: Int) {
        precondition(m.count == parameters.count && v.count == parameters.count, "optimizer state does not match the parameters")
        for i in parameters.indices { self.m[i].assign(m[i]); self.v[i].assign(v[i]) }
        stepCount = step
    }
}

/// Stochastic gradient descent with optional momentum and (L2) weight decay, as `torch.optim.SGD`.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    private var velocity: [Tensor?]

    public init(parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = Array(repeating: nil, count: parameters.count)
    }

    public func step(gradientScale: Float) {
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let d = g.copy()
            if gradientScale != 1 { d.scaleInPlace(gradientScale) }
            if weightDecay != 0 { for j in 0..<d.count { d.data[j] += weightDecay * p.data[j] } }
            var update = d
            if momentum != 0 {
                if let buf = velocity[i] {
                    for j in 0..<buf.count { buf.data[j] = momentum * buf.data[j] + d.data[j] }
                    update = buf
                } else {
                    velocity[i] = d
                }
            }
            for j in 0..<p.count { p.data[j] -= learningRate * update.data[j] }
        }
    }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_);
/// returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let (norm, scale) = gradientClipping(parameters, maxNorm: maxNorm)
    if scale != 1 { for p in parameters { p.grad?.scaleInPlace(scale) } }
    return norm
}

/// The gradients' global L2 norm and the factor `clipGradientNorm` would scale them by (1 when the
/// norm is within `maxNorm`), for `step(gradientScale:)`: the optimizer then applies the clipped
/// gradients, bit for bit, without a pass that rewrites them all first.
public func gradientClipping(_ parameters: [Tensor], maxNorm: Float) -> (norm: Float, scale: Float) {
    var total: Double = 0
    for p in parameters { total += p.grad?.sumOfSquares() ?? 0 }
    let norm = Float(total.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    return (norm, scale < 1 ? scale : 1)
}
