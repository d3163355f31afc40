/// Softmax of one row in place: subtract the max, exponentiate, normalize (fused, one pass each).
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = vmax(x, n)
    let mv = Vec(repeating: m)
    var acc = Vec()
    var i = 0
    while i &+ 16 <= n {
        let e = vexp(load(x + i) - mv)
        store(e, y + i)
        acc += e
        i &+= 16
    }
    if i < n {
        var v = Vec(repeating: -.infinity)
        for j in 0..<(n &- i) { v[j] = x[i &+ j] }
        let e = vexp(v - mv).replacing(with: 0, where: v .== -.infinity)
        for j in 0..<(n &- i) { y[i &+ j] = e[j] }
        acc += e
    }
    let inv = 1 / hsum(acc)
    i = 0
    while i &+ 16 <= n { store(load(y + i) * inv, y + i); i &+= 16 }
    while i < n { y[i] *= inv; i &+= 1 }
}

/// log Σ exp over a row, stable.
@inline(__always)
func logSumExpRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let m = vmax(x, n)
    if m == -.infinity { return m }
    let mv = Vec(repeating: m)
    var acc = Vec()
    var i = 0
    while i &+ 16 <= n { acc += vexp(load(x + i) - mv); i &+= 16 }
    var s = hsum(acc)
    if i < n {
        var v = Vec(repeating: -.infinity)
        for j in 0..<(n &- i) { v[j] = x[i &+ j] }
        let e = vexp(v - mv).replacing(with: 0, where: v .== -.infinity)
        s += hsum(e)
    }
    return m + Foundation.log(s)
}

/// Softmax backward of one row: dx = y ⊙ (dy − Σ dy⊙y).
@inline(__always)
func softmaxBackwardRow(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int, scale: Float = 1) {
    var acc = Vec()
    var i = 0
    while i &+ 16 <= n { acc += load(y + i) * load(dy + i); i &+= 16 }
    var dot = hsum(acc)
    while i < n { dot += y[i] * dy[i]; i &+= 1 }
    let dv = Vec(repeating: dot)
    i = 0
    while i &+ 16 <= n { store(load(y + i) * (load(dy + i) - dv) * scale, dx + i); i &+= 16 }
    while i < n { dx[i] = y[i] * (dy[i] - dot) * scale; i &+= 1 }
}

extension Tensor {
    /// Softmax along the last axis.
    public func softmax() -> Tensor {
        let n = shape.last!, rows = count / n
        let y = Tensor(uninitialized: shape)
        let x = data, o = y.data
        Parallel.forRows(rows, rowCost: n * 4) { r in softmaxRow(x + r * n, o + r * n, n) }
        return y.recordedWithOutput(from: [self]) { g, y in
            let gx = Tensor(uninitialized: self.shape)
            let gy = g.data, yo = y.data, d = gx.data
            Parallel.forRows(rows, rowCost: n * 2) { r in softmaxBackwardRow(yo + r * n, gy + r * n, d + r * n, n) }
            return [gx]
        }
    }

    /// log(softmax(x)) along the last axis, computed stably as x − logΣexp(x).
    public func logSoftmax() -> Tensor {
        let n = shape.last!, rows = count / n
        let y = Tensor(uninitialized: shape)
        let x = data, o = y.data
        Parallel.forRows(rows, rowCost: n * 4) { r in
            let lse = logSumExpRow(x + r * n, n)
            applyScalarRight(.sub, x + r * n, lse, o + r * n, n)
        }
        return y.recordedWithOutput(from: [self]) { g, y in
            // dx = dy − softmax · Σdy
            let gx = Tensor(uninitialized: self.shape)
            let gy = g.data, yo = y.data, d = gx.data
            Parallel.forRows(rows, rowCost: n * 2) { r in
                let s = vsum(gy + r * n, n)
                let sv = Vec(repeating: s)
                mapVec2(gy + r * n, yo + r * n, d + r * n, n) { dy, ly in dy - vexp(ly) * sv }
            }
            return [gx]
        }
    }
}

import Foundation
