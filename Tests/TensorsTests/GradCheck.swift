import Foundation
import Testing
import Tensors

/// Every suite of this target nests in this one. `.serialized` keeps the tests that reuse freed
/// pool buffers deterministic, and keeps the two-core test machine from being oversubscribed.
@Suite(.serialized) enum TensorSuite {}

// MARK: - Inputs

/// Uniform values in [lo, hi) from a fixed seed.
func uniform(_ shape: [Int], seed: UInt64, _ lo: Float = -1, _ hi: Float = 1, requiresGrad: Bool = false) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, lo, hi, generator: &g, requiresGrad: requiresGrad)
}

/// Standard normal values from a fixed seed.
func normal(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor.randn(shape, std: std, generator: &g)
}

/// Values with lo ≤ |x| < hi and a random sign: keeps inputs away from a kink at 0.
func awayFromZero(_ shape: [Int], seed: UInt64, _ lo: Float = 0.2, _ hi: Float = 1) -> Tensor {
    var g = RandomGenerator(seed: seed)
    let t = Tensor.uniform(shape, lo, hi, generator: &g)
    for i in 0..<t.count where g.nextFloat() < 0.5 { t[flat: i] = -t[flat: i] }
    return t
}

/// Row-major index helpers for the reference implementations.
func strides(of shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    for i in stride(from: shape.count - 2, through: 0, by: -1) { s[i] = s[i + 1] * shape[i + 1] }
    return s
}

func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
    var idx = [Int](repeating: 0, count: shape.count)
    var f = flat
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
        idx[d] = f % shape[d]
        f /= shape[d]
    }
    return idx
}

// MARK: - Comparisons

/// Expects `actual` to match `expected` element-wise within `abs + rel·|expected|`.
func expectClose(_ actual: [Float], _ expected: [Double], abs absTol: Double = 1e-5, rel relTol: Double = 1e-5,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var bad: [String] = []
    var worst = 0.0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let err = Swift.abs(Double(a) - e)
        worst = Swift.max(worst, err)
        if !(err <= absTol + relTol * Swift.abs(e)) { bad.append("[\(i)] got \(a), expected \(e)") }
    }
    if !bad.isEmpty {
        Issue.record("\(what): \(bad.count) of \(actual.count) values differ (worst \(worst)); first: \(bad.prefix(4).joined(separator: "; "))",
                     sourceLocation: sourceLocation)
    }
}

func expectClose(_ actual: Tensor, _ expected: [Double], abs absTol: Double = 1e-5, rel relTol: Double = 1e-5,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual.scalars, expected, abs: absTol, rel: relTol, what, sourceLocation: sourceLocation)
}

// MARK: - Finite-difference gradient check

/// Checks the gradients autodiff gives for `f` at `inputs` against central differences.
///
/// The loss is `sum(f(inputs) * R)` for a fixed random `R` of the output's shape, so every output
/// element contributes with its own weight. The analytic side back-propagates that loss; the numeric
/// side re-evaluates `f` (in Float, without recording) with each input element moved by ±`eps`,
/// accumulating the loss in Double. An element passes when |analytic − numeric| ≤ tol·max(1, |numeric|).
///
/// `f` must read the tensors it is given (the check perturbs their storage in place).
func expectGradientsMatch(_ inputs: [Tensor], eps: Float = 1e-2, tolerance: Double = 1e-2, seed: UInt64 = 0x5EED,
                          _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                          _ f: ([Tensor]) -> Tensor) {
    for x in inputs {
        x.requiresGrad = true
        x.grad = nil
    }
    let y = f(inputs)
    #expect(y.requiresGrad, "\(what): the output does not record a graph", sourceLocation: sourceLocation)
    var gen = RandomGenerator(seed: seed)
    let r = Tensor.randn(y.shape, generator: &gen)
    let loss = (y * r).sum()
    loss.backward()

    let weights = r.scalars.map(Double.init)
    func numericLoss() -> Double {
        let out = withoutGradients { f(inputs) }
        precondition(out.count == weights.count, "f changed its output size")
        var s = 0.0
        for (o, w) in zip(out.scalars, weights) { s += Double(o) * w }
        return s
    }

    for (n, x) in inputs.enumerated() {
        guard let grad = x.grad else {
            Issue.record("\(what): input \(n) \(x.shape) got no gradient", sourceLocation: sourceLocation)
            continue
        }
        #expect(grad.shape == x.shape, "\(what): gradient \(grad.shape) for input \(n) \(x.shape)", sourceLocation: sourceLocation)
        let analytic = grad.scalars
        var bad: [String] = []
        var worst = 0.0
        for i in 0..<x.count {
            let v = x[flat: i]
            let up = v + eps, down = v - eps
            x[flat: i] = up
            let lp = numericLoss()
            x[flat: i] = down
            let lm = numericLoss()
            x[flat: i] = v
            let numeric = (lp - lm) / (Double(up) - Double(down))
            let a = Double(analytic[i])
            let err = Swift.abs(a - numeric) / Swift.max(1, Swift.abs(numeric))
            worst = Swift.max(worst, err)
            if !(err <= tolerance) { bad.append("[\(i)] analytic \(a), numeric \(numeric)") }
        }
        if !bad.isEmpty {
            Issue.record("\(what): input \(n) \(x.shape): \(bad.count) of \(x.count) gradients differ (worst \(worst)); first: \(bad.prefix(4).joined(separator: "; "))",
                         sourceLocation: sourceLocation)
        }
    }
}
