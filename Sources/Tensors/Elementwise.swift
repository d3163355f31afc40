/// Element-wise arithmetic with broadcasting, and unary functions, each with its backward.
public enum BinaryOp: Sendable { case add, sub, mul, div }

@inline(__always)
func applyBinary(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    switch op {
    case .add: mapVec2(a, b, o, n) { $0 + $1 }
    case .sub: mapVec2(a, b, o, n) { $0 - $1 }
    case .mul: mapVec2(a, b, o, n) { $0 * $1 }
    case .div: mapVec2(a, b, o, n) { $0 / $1 }
    }
}

@inline(__always)
func applyScalarRight(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ s: Float, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    switch op {
    case .add: mapVec(a, o, n) { $0 + s }
    case .sub: mapVec(a, o, n) { $0 - s }
    case .mul: mapVec(a, o, n) { $0 * s }
    case .div: mapVec(a, o, n) { $0 / s }
    }
}

@inline(__always)
func applyScalarLeft(_ op: BinaryOp, _ s: Float, _ b: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    switch op {
    case .add: mapVec(b, o, n) { s + $0 }
    case .sub: mapVec(b, o, n) { s - $0 }
    case .mul: mapVec(b, o, n) { s * $0 }
    case .div: mapVec(b, o, n) { s / $0 }
    }
}

/// The forward of a broadcasting binary op, not recorded.
func binaryForward(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
    if a.shape == b.shape {
        let out = Tensor(uninitialized: a.shape)
        let pa = a.data, pb = b.data, po = out.data
        Parallel.forRanges(a.count) { r in applyBinary(op, pa + r.lowerBound, pb + r.lowerBound, po + r.lowerBound, r.count) }
        return out
    }
    let shape = broadcastShape(a.shape, b.shape)
    let out = Tensor(uninitialized: shape)
    let pa = a.data, pb = b.data, po = out.data
    if b.count == 1, shape == a.shape {
        let s = pb[0]
        Parallel.forRanges(a.count) { r in applyScalarRight(op, pa + r.lowerBound, s, po + r.lowerBound, r.count) }
    } else if a.count == 1, shape == b.shape {
        let s = pa[0]
        Parallel.forRanges(b.count) { r in applyScalarLeft(op, s, pb + r.lowerBound, po + r.lowerBound, r.count) }
    } else if shape == a.shape, isTrailingBroadcast(b.shape, a.shape) {
        let inner = b.count
        Parallel.forRows(a.count / inner, rowCost: inner) { row in
            applyBinary(op, pa + row * inner, pb, po + row * inner, inner)
        }
    } else {
        let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
        forEachBroadcast(shape, sa, sb) { i, ia, ib in
            let x = pa[ia], y = pb[ib]
            switch op {
            case .add: po[i] = x + y
            case .sub: po[i] = x - y
            case .mul: po[i] = x * y
            case .div: po[i] = x / y
            }
        }
    }
    return out
}

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binaryForward(.add, a, b).recorded(from: [a, b]) { g in [g.sum(to: a.shape), g.sum(to: b.shape)] }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binaryForward(.sub, a, b).recorded(from: [a, b]) { g in
            [g.sum(to: a.shape), b.requiresGrad ? binaryForward(.mul, g, Tensor(scalar: -1)).sum(to: b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binaryForward(.mul, a, b).recorded(from: [a, b]) { g in
            [a.requiresGrad ? binaryForward(.mul, g, b).sum(to: a.shape) : nil,
             b.requiresGrad ? binaryForward(.mul, g, a).sum(to: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binaryForward(.div, a, b).recorded(from: [a, b]) { g in
            var gb: Tensor?
            if b.requiresGrad {
                // d(a/b)/db = -a / b²
                let q = binaryForward(.div, binaryForward(.mul, g, a), binaryForward(.mul, b, b))
                gb = binaryForward(.mul, q, Tensor(scalar: -1)).sum(to: b.shape)
            }
            return [a.requiresGrad ? binaryForward(.div, g, b).sum(to: a.shape) : nil, gb]
        }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(scalar: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a - Tensor(scalar: s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(scalar: s) }
    public static func / (a: Tensor, s: Float) -> Tensor { a * Tensor(scalar: 1 / s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a * Tensor(scalar: s) }
    public static func + (s: Float, a: Tensor) -> Tensor { a + Tensor(scalar: s) }
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) - a }
    public static prefix func - (a: Tensor) -> Tensor { a * Tensor(scalar: -1) }

    /// Not recorded: `self + other` into a new tensor (same shape).
    func adding(_ other: Tensor) -> Tensor { binaryForward(.add, self, other) }

    /// Not recorded: `self += other` (same element count).
    public func addInPlace(_ other: Tensor) {
        precondition(other.count == count, "addInPlace: \(other.shape) into \(shape)")
        let p = data, q = other.data
        Parallel.forRanges(count) { r in applyBinary(.add, p + r.lowerBound, q + r.lowerBound, p + r.lowerBound, r.count) }
    }

    /// Not recorded: `self *= s`.
    public func scaleInPlace(_ s: Float) {
        let p = data
        Parallel.forRanges(count) { r in applyScalarRight(.mul, p + r.lowerBound, s, p + r.lowerBound, r.count) }
    }
}

// MARK: - Unary functions

/// Applies `f` element-wise in parallel into a new tensor of the same shape.
@inline(__always)
func unaryForward(_ x: Tensor, _ f: @escaping (Vec) -> Vec) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    let p = x.data, o = out.data
    Parallel.forRanges(x.count) { r in mapVec(p + r.lowerBound, o + r.lowerBound, r.count, f) }
    return out
}

/// `g * f(x, y)` element-wise, where x is the input and y the output of the forward.
@inline(__always)
func unaryBackward(_ g: Tensor, _ x: Tensor, _ y: Tensor, _ f: @escaping (Vec, Vec, Vec) -> Vec) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    let pg = g.data, px = x.data, py = y.data, o = out.data
    Parallel.forRanges(x.count) { r in
        var i = r.lowerBound
        while i &+ 16 <= r.upperBound {
            store(f(load(pg + i), load(px + i), load(py + i)), o + i)
            i &+= 16
        }
        if i < r.upperBound {
            var vg = Vec(), vx = Vec(), vy = Vec()
            for j in 0..<(r.upperBound &- i) { vg[j] = pg[i &+ j]; vx[j] = px[i &+ j]; vy[j] = py[i &+ j] }
            let v = f(vg, vx, vy)
            for j in 0..<(r.upperBound &- i) { o[i &+ j] = v[j] }
        }
    }
    return out
}

extension Tensor {
    public func exp() -> Tensor {
        let y = unaryForward(self, vexp)
        return y.recordedWithOutput(from: [self]) { g, y in [unaryBackward(g, self, y) { g, _, y in g * y }] }
    }

    public func log() -> Tensor {
        let y = unaryForward(self) { v in
            var r = Vec()
            for j in 0..<16 { r[j] = Foundation.log(v[j]) }
            return r
        }
        return y.recordedWithOutput(from: [self]) { g, y in [unaryBackward(g, self, y) { g, x, _ in g / x }] }
    }

    public func sqrt() -> Tensor {
        let y = unaryForward(self) { $0.squareRoot() }
        return y.recordedWithOutput(from: [self]) { g, y in [unaryBackward(g, self, y) { g, _, y in g * 0.5 / y }] }
    }

    public func squared() -> Tensor {
        let y = unaryForward(self) { $0 * $0 }
        return y.recordedWithOutput(from: [self]) { g, y in [unaryBackward(g, self, y) { g, x, _ in g * 2 * x }] }
    }

    public func tanh() -> Tensor {
        let y = unaryForward(self, vtanh)
        return y.recordedWithOutput(from: [self]) { g, y in [unaryBackward(g, self, y) { g, _, y in g * (1 - y * y) }] }
    }

    public func sigmoid() -> Tensor {
        let y = unaryForward(self) { 1 / (1 + vexp(-$0)) }
        return y.recordedWithOutput(from: [self]) { g, y in [unaryBackward(g, self, y) { g, _, y in g * y * (1 - y) }] }
    }

    public func relu() -> Tensor {
        let y = unaryForward(self) { $0.replacing(with: 0, where: $0 .< 0) }
        return y.recordedWithOutput(from: [self]) { g, y in [unaryBackward(g, self, y) { g, x, _ in g.replacing(with: 0, where: x .<= 0) }] }
    }

    /// GELU. `approximate: true` is the tanh form of Hendrycks & Gimpel (GPT-2's "gelu_new",
    /// PyTorch's `approximate="tanh"`); false is the exact erf form (PyTorch's default).
    /// When recording, the forward also stores the slope dy/dx while the transcendental parts are
    /// at hand, so the backward is a single multiply instead of recomputing erf or tanh.
    public func gelu(approximate: Bool = false) -> Tensor {
        let y = Tensor(uninitialized: shape)
        let slope: Tensor? = GradMode.isEnabled && requiresGrad ? Tensor(uninitialized: shape) : nil
        let px = data, py = y.data
        if let sp = slope?.data {
            Parallel.forRanges(count) { r in
                let x = px + r.lowerBound, o = py + r.lowerBound, s = sp + r.lowerBound
                if approximate { mapVecWithSlope(x, o, s, r.count, geluTanhWithSlope) } else { mapVecWithSlope(x, o, s, r.count, geluErfWithSlope) }
            }
        } else {
            Parallel.forRanges(count) { r in
                let x = px + r.lowerBound, o = py + r.lowerBound
                if approximate { mapVec(x, o, r.count) { geluTanhWithSlope($0).0 } } else { mapVec(x, o, r.count) { geluErf($0) } }
            }
        }
        guard let slope else { return y }
        return y.recorded(from: [self]) { g in [binaryForward(.mul, g, slope)] }
    }

}

import Foundation

/// x·Φ(x) with the exact normal CDF.
@inline(__always) func geluErf(_ x: Vec) -> Vec { 0.5 * x * (1 + verf(x * 0.7071067811865476)) }

/// x·Φ(x) and its derivative Φ(x) + x·φ(x).
@inline(__always) func geluErfWithSlope(_ x: Vec) -> (Vec, Vec) {
    let e = verf(x * 0.7071067811865476)
    let pdf = 0.3989422804014327 * vexp(-0.5 * x * x)
    return (0.5 * x * (1 + e), 0.5 * (1 + e) + x * pdf)
}

/// The tanh form 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) and its derivative.
@inline(__always) func geluTanhWithSlope(_ x: Vec) -> (Vec, Vec) {
    let c: Float = 0.7978845608028654  // sqrt(2/pi)
    let t = vtanh(c * (x + 0.044715 * x * x * x))
    let du = c * (1 + 3 * 0.044715 * x * x)
    return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
}

/// `mapVec` for a function that also gives a second output (a slope for the backward).
@inline(__always)
func mapVecWithSlope(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ slope: UnsafeMutablePointer<Float>, _ n: Int,
                     _ f: (Vec) -> (Vec, Vec)) {
    var i = 0
    while i &+ 16 <= n {
        let (y, s) = f(load(src + i))
        store(y, dst + i)
        store(s, slope + i)
        i &+= 16
    }
    if i < n {
        var v = Vec()
        for j in 0..<(n &- i) { v[j] = src[i &+ j] }
        let (y, s) = f(v)
        for j in 0..<(n &- i) { dst[i &+ j] = y[j]; slope[i &+ j] = s[j] }
    }
}
