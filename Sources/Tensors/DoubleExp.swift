import Foundation

/// Eight doubles: the lanes of `vexp(_: DoubleVec)`.
public typealias DoubleVec = SIMD8<Double>

/// e^x in double precision, 8 lanes at a time, within 1 ulp of Foundation's `exp` (DoubleExpTests),
/// which is a scalar call: beam search would take one for every token of the vocabulary at
/// every step. Cody–Waite reduction x = n·ln 2 + r, |r| ≤ ln 2 / 2, then e^r by
/// its Taylor series to r¹³/13! (truncation below 10⁻¹⁷) and 2ⁿ from the exponent bits. Lanes
/// outside [−708, 709] (where 2ⁿ leaves the normal range), NaN included, go through `exp` one by one.
@inline(__always) public func vexp(_ x: DoubleVec) -> DoubleVec {
    guard all(x .>= -708) && all(x .<= 709) else {
        var out = DoubleVec()
        for i in 0..<8 { out[i] = Foundation.exp(x[i]) }
        return out
    }
    let magic = 6_755_399_441_055_744.0  // 1.5 · 2⁵²: adding it rounds to an integer in the low bits
    let t = x * 1.4426950408889634 + DoubleVec(repeating: magic)
    let n = t - DoubleVec(repeating: magic)
    let r = x.addingProduct(n, DoubleVec(repeating: -6.93147180369123816490e-01))
        .addingProduct(n, DoubleVec(repeating: -1.90821492927058770002e-10))
    // Horner's rule from 1/13! down to 1: p = 1 + r(1 + r(1/2 + r(1/6 + …))).
    var p = DoubleVec(repeating: 1 / 6_227_020_800.0)
    p = step(p, r, 1 / 479_001_600.0)
    p = step(p, r, 1 / 39_916_800.0)
    p = step(p, r, 1 / 3_628_800.0)
    p = step(p, r, 1 / 362_880.0)
    p = step(p, r, 1 / 40_320.0)
    p = step(p, r, 1 / 5_040.0)
    p = step(p, r, 1 / 720.0)
    p = step(p, r, 1 / 120.0)
    p = step(p, r, 1 / 24.0)
    p = step(p, r, 1 / 6.0)
    p = step(p, r, 0.5)
    p = step(p, r, 1)
    p = step(p, r, 1)
    let bits = unsafeBitCast(t, to: SIMD8<Int64>.self) &- Int64(bitPattern: magic.bitPattern)  // the integer n
    return p * unsafeBitCast((bits &+ 1023) &<< 52, to: DoubleVec.self)
}

/// c + p·r in one rounding.
@inline(__always) private func step(_ p: DoubleVec, _ r: DoubleVec, _ c: Double) -> DoubleVec {
    DoubleVec(repeating: c).addingProduct(p, r)
}
