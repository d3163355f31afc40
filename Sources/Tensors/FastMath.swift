/// Vectorized transcendental functions. Foundation's `expf`/`tanhf` are scalar calls, which would
/// dominate softmax and GELU; these run 16 lanes at a time on AVX-512 (MACHINE-NOTES).
public typealias Vec = SIMD16<Float>

@inline(__always) func load(_ p: UnsafePointer<Float>) -> Vec {
    UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
}

@inline(__always) func store(_ v: Vec, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self)
}

/// e^x, Cephes' polynomial (relative error ~2e-7 over the float range); magic-number rounding
/// because `.rounded()` scalarizes.
@inline(__always) public func vexp(_ x: Vec) -> Vec {
    var x = x.replacing(with: 88.3762626647949, where: x .> 88.3762626647949)
    x.replace(with: -87.3365447504, where: x .< -87.3365447504)
    let magic: Float = 12_582_912  // 1.5 * 2^23: adding it rounds to an integer in the low bits
    let t = x * 1.44269504088896341 + Vec(repeating: magic)
    let n = t - Vec(repeating: magic)
    let r = x - n * 0.693359375 + n * 2.12194440e-4
    var p: Vec = Vec(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * (r * r) + r + 1
    let bits = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000  // the integer n
    let scale = unsafeBitCast((bits &+ 127) &<< 23, to: Vec.self)
    return p * scale
}

/// tanh(x) = 1 - 2 / (e^{2x} + 1), saturating cleanly at ±1.
@inline(__always) public func vtanh(_ x: Vec) -> Vec {
    let e = vexp(x * 2)
    return 1 - 2 / (e + 1)
}

/// erf(x), Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7).
@inline(__always) public func verf(_ x: Vec) -> Vec {
    let negative = x .< 0
    let a = x.replacing(with: -x, where: negative)
    let t = 1 / (1 + 0.3275911 * a)
    var y: Vec = Vec(repeating: 1.061405429)
    y = y * t - 1.453152027
    y = y * t + 1.421413741
    y = y * t - 0.284496736
    y = y * t + 0.254829592
    let r = 1 - y * t * vexp(-a * a)
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
    var s = acc.sum()
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
        m = acc.max()
    }
    while i < n { if p[i] > m { m = p[i] }; i &+= 1 }
    return m
}
