import Foundation

/// A learning rate as a function of the step: 0-based, the number of optimizer steps taken before
/// this one (the trainer's count).
public protocol LearningRateSchedule: Sendable {
    func learningRate(step: Int) -> Float
}

/// The paper's schedule (§5.3): lr = factor · d_model^-0.5 · min(step^-0.5, step · warmup^-1.5):
/// a linear warm-up, then decay with the inverse square root of the step. The paper counts steps
/// from 1, so step 0 is taken as 1 and the peak is at step `warmup`.
public struct InverseSqrtSchedule: LearningRateSchedule {
    public var dModel: Int
    public var warmup: Int
    public var factor: Float
    public init(dModel: Int, warmup: Int = 4000, factor: Float = 1) {
        self.dModel = dModel
        self.warmup = warmup
        self.factor = factor
    }
    /// The schedule whose peak (at step `warmup`) is `peak`: factor = peak · √d_model · √warmup.
    public init(peak: Float, dModel: Int, warmup: Int) {
        let w = Float(max(warmup, 1))
        self.init(dModel: dModel, warmup: max(warmup, 1), factor: peak * Float(dModel).squareRoot() * w.squareRoot())
    }

    public func learningRate(step: Int) -> Float {
        let s = Float(max(step, 1))
        return factor * Foundation.pow(Float(dModel), -0.5) * min(Foundation.pow(s, -0.5), s * Foundation.pow(Float(warmup), -1.5))
    }
}

/// Linear warm-up to `peak`, then cosine decay to `minimum` at `total` steps (nanoGPT's schedule).
public struct CosineSchedule: LearningRateSchedule {
    public var peak: Float
    public var warmup: Int
    public var total: Int
    public var minimum: Float
    public init(peak: Float, warmup: Int, total: Int, minimum: Float = 0) {
        self.peak = peak
        self.warmup = warmup
        self.total = total
        self.minimum = minimum
    }
    public func learningRate(step: Int) -> Float {
        if step < warmup { return peak * Float(step + 1) / Float(warmup + 1) }
        if step >= total { return minimum }
        let progress = Float(step - warmup) / Float(max(1, total - warmup))
        return minimum + 0.5 * (1 + Foundation.cos(Float.pi * progress)) * (peak - minimum)
    }
}

/// A constant learning rate after a linear warm-up.
public struct ConstantSchedule: LearningRateSchedule {
    public var value: Float
    public var warmup: Int
    public init(value: Float, warmup: Int = 0) {
        self.value = value
        self.warmup = warmup
    }
    public func learningRate(step: Int) -> Float {
        step < warmup ? value * Float(step + 1) / Float(warmup + 1) : value
    }
}
