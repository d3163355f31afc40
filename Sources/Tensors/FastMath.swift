/// Vectorized transcendental functions. Foundation's `expf`/`tanhf` are scalar calls, which would
/// dominate softmax and GELU; these run 16 lanes at a time on AVX-512 (docs/performance-notes.md).
public typealias Vec = SIMD16<Float>

@inline(__always) func load(_ p: UnsafePointer<Float>) -> Vec {
    UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
}

/// a·b + c in one rounding. Swift does not contract `a * b + c` into a fused multiply-add, and the
/// polynomials below are chains of them: fused, they take about two thirds of the time.
@inline(__always) func fma(_ a: Vec, _ b: Vec, _ c: Float) -> Vec { Vec(repeating: c).addingProduct(a, b) }

@inline(__always) func store(_ v: Vec, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self)
}

/// e^x, Cephes' polynomial (relative error ~2e-7 over the float range); magic-number rounding
/// because `.rounded()` scalarizes. Below the smallest normal result it gives 0, so e^-inf is 0
/// (masked logits get exactly zero probability).
@inline(__always) public func vexp(_ x: Vec) -> Vec {
    let underflow = x .< -87.3365447504
    var x = x.replacing(with: 88.3762626647949, where: x .> 88.3762626647949)
    x.replace(with: -87.3365447504, where: underflow)
    let magic: Float = 12_582_912  // 1.5 * 2^23: adding it rounds to an integer in the low bits
    let t = x * 1.44269504088896341 + Vec(repeating: magic)
    let n = t - Vec(repeating: magic)
    let r = x.addingProduct(n, Vec(repeating: -0.693359375)).addingProduct(n, Vec(repeating: 2.12194440e-4))
    var p: Vec = Vec(repeating: 1.9875691500e-4)
    p = fma(p, r, 1.3981999507e-3)
    p = fma(p, r, 8.3334519073e-3)
    p = fma(p, r, 4.1665795894e-2)
    p = fma(p, r, 1.6666665459e-1)
    p = fma(p, r, 5.0000001201e-1)
    p = (r + 1).addingProduct(p, r * r)
    let bits = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000  // the integer n
    let scale = unsafeBitCast((bits &+ 127) &<< 23, to: Vec.self)
    return (p * scale).replacing(with: 0, where: underflow)
}

/// tanh(x) = 1 - 2 / (e^{2x} + 1), saturating cleanly at ±1.
@inline(__always) public func vtanh(_ x: Vec) -> Vec {
    let e = vexp(x * 2)
    return 1 - 2 / (e + 1)
}

/// erf(x) with absolute error < 1.5e-7: its Taylor series below |x| = 0.8, and 1 − erfc(|x|) above,
/// with erfc from Numerical Recipes' `erfcc` (relative error < 1.2e-7). A single formula for the
/// whole range, such as Abramowitz & Stegun 7.1.26, loses digits to cancellation near 0 (5e-7).
@inline(__always) public func verf(_ x: Vec) -> Vec {
    let negative = x .< 0
    let a = x.replacing(with: -x, where: negative)
    let z = a * a
    // 2/√π · Σₙ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)), n ≤ 9
    var s: Vec = Vec(repeating: -1.6365844691234924e-07)
    s = fma(s, z, 1.6462114365889246e-06)
    s = fma(s, z, -1.492565035840625e-05)
    s = fma(s, z, 1.2055332981789664e-04)
    s = fma(s, z, -8.548327023450852e-04)
    s = fma(s, z, 5.223977625442188e-03)
    s = fma(s, z, -2.6866170645131252e-02)
    s = fma(s, z, 1.1283791670955126e-01)
    s = fma(s, z, -3.7612638903183754e-01)
    s = fma(s, z, 1.1283791670955126)
    let t = 1 / (1 + 0.5 * a)
    var p: Vec = Vec(repeating: 0.17087277)
    p = fma(p, t, -0.82215223)
    p = fma(p, t, 1.48851587)
    p = fma(p, t, -1.13520398)
    p = fma(p, t, 0.27886807)
    p = fma(p, t, -0.18628806)
    p = fma(p, t, 0.09678418)
    p = fma(p, t, 0.37409196)
    p = fma(p, t, 1.00002368)
    p = fma(p, t, -1.26551223)
    let r = (a * s).replacing(with: 1 - t * vexp(p - z), where: a .>= 0.8)
    return r.replacing(with: -r, where: negative)
}

/// Applies a 16-lane function to `n` floats, the tail through a padded vector, so every element
/// gets exactly the same arithmetic.
@inline(__always)
func mapVec(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Vec) -> Vec) {
    var i = 0
    while i &+ 16 <= n {
        store(f(load(src + i)), dst + i)
        i &+= 16
    }
    if i < n {
        var v = Vec()
        for j in 0..<(n &- i) { v[j] = src[i &+ j] }
        let r = f(v)
        for j in 0..<(n &- i) { dst[i &+ j] = r[j] }
    }
}

/// Two-input version of `mapVec`.
@inline(__always)
func mapVec2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Vec, Vec) -> Vec) {
    var i = 0
    while i &+ 16 <= n {
        store(f(load(a + i), load(b + i)), dst + i)
        i &+= 16
    }
    if i < n {
        var va = Vec(), vb = Vec()
        for j in 0..<(n &- i) { va[j] = a[i &+ j]; vb[j] = b[i &+ j] }
        let r = f(va, vb)
        for j in 0..<(n &- i) { dst[i &+ j] = r[j] }
    }
}

/// Sum of `n` floats with 16 partial sums.
@inline(__always)
func vsum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec()
    var i = 0
    while i &+ 16 <= n { acc += load(p + i); i &+= 16 }
    var s = hsum(acc)
    while i < n { s += p[i]; i &+= 1 }
    return s
}

/// Maximum of `n > 0` floats.
@inline(__always)
func vmax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var m = -Float.infinity
    if n >= 16 {
        var acc = load(p)
        i = 16
        while i &+ 16 <= n {
            let v = load(p + i)
            acc.replace(with: v, where: v .> acc)
            i &+= 16
        }
        m = hmax(acc)
    }
    while i < n { if p[i] > m { m = p[i] }; i &+= 1 }
    return m
}

/// Horizontal sum of 16 lanes by halving (`SIMD.sum()` is a generic call that is not inlined).
@inline(__always) func hsum(_ v: Vec) -> Float {
    let h8 = v.lowHalf + v.highHalf
    let h4 = h8.lowHalf + h8.highHalf
    let h2 = h4.lowHalf + h4.highHalf
    return h2[0] + h2[1]
}

/// Horizontal maximum of 16 lanes by halving.
@inline(__always) func hmax(_ v: Vec) -> Float {
    let h8 = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
    let h4 = h8.lowHalf.replacing(with: h8.highHalf, where: h8.highHalf .> h8.lowHalf)
    let h2 = h4.lowHalf.replacing(with: h4.highHalf, where: h4.highHalf .> h4.lowHalf)
    return Swift.max(h2[0], h2[1])
}
