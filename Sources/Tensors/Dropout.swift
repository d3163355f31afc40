extension Tensor {
    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1−p).
    /// One draw from `generator` seeds a counter-based hash (splitmix64 of seed + index), so the
    /// mask is the same for a given seed however the work is split across cores, and the backward
    /// recomputes it rather than keeping it in memory.
    public func dropout(_ p: Float, generator: inout RandomGenerator) -> Tensor {
        if p <= 0 { return self }
        precondition(p < 1, "dropout probability \(p) must be below 1")
        let scale = 1 / (1 - p)
        let seed = generator.next()
        let threshold = UInt32(Double(p) * 16_777_216)
        let y = Tensor(uninitialized: shape)
        dropoutMultiply(data, y.data, count, seed: seed, threshold: threshold, scale: scale)
        return y.recorded(from: [self]) { g in
            let gx = Tensor(uninitialized: g.shape)
            dropoutMultiply(g.data, gx.data, g.count, seed: seed, threshold: threshold, scale: scale)
            return [gx]
        }
    }

    /// self + dropout(y): a residual connection around a dropped-out sublayer in one pass over
    /// memory (the same mask as `y.dropout(p, generator:)` with the same generator state).
    public func addingDropout(_ y: Tensor, _ p: Float, generator: inout RandomGenerator) -> Tensor {
        if p <= 0 { return self + y }
        precondition(p < 1, "dropout probability \(p) must be below 1")
        precondition(y.shape == shape, "addingDropout: \(y.shape) onto \(shape)")
        let scale = 1 / (1 - p)
        let seed = generator.next()
        let threshold = UInt32(Double(p) * 16_777_216)
        let out = Tensor(uninitialized: shape)
        dropoutMultiply(y.data, out.data, count, seed: seed, threshold: threshold, scale: scale, adding: data)
        return out.recorded(from: [self, y]) { g in
            var gy: Tensor?
            if y.requiresGrad {
                gy = Tensor(uninitialized: g.shape)
                dropoutMultiply(g.data, gy!.data, g.count, seed: seed, threshold: threshold, scale: scale)
            }
            return [g, gy]
        }
    }

    /// Elements where `mask` is nonzero replaced by `value` (mask broadcasts to self).
    public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
        let out = copy()
        let shape = self.shape
        let keep = Tensor(uninitialized: shape)  // 1 where kept, for the backward
        let st = broadcastStrides(mask.shape, to: shape), zero = [Int](repeating: 0, count: shape.count)
        let o = out.data, mp = mask.data, k = keep.data
        forEachBroadcast(shape, st, zero) { i, mi, _ in
            if mp[mi] != 0 { o[i] = value; k[i] = 0 } else { k[i] = 1 }
        }
        return out.recorded(from: [self]) { g in [binaryForward(.mul, g, keep)] }
    }
}

/// o[i] = x[i] · (0 or `scale`) (+ a[i]), element i dropped when the top 24 bits of
/// splitmix64(seed + i·γ) fall below `threshold`; 16 elements at a time (8-lane 64-bit multiplies
/// on AVX-512).
func dropoutMultiply(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int, seed: UInt64, threshold: UInt32, scale: Float,
                     adding a: UnsafePointer<Float>? = nil) {
    // The top 24 bits fit an Int32: a signed compare vectorizes, an unsigned one does not.
    @inline(__always) func hashTop24(_ i: SIMD8<UInt64>) -> SIMD8<Int32> {
        var z = SIMD8<UInt64>(repeating: seed) &+ i &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z &>> 31
        return SIMD8<Int32>(truncatingIfNeeded: z &>> 40)
    }
    let limit = SIMD16<Int32>(repeating: Int32(threshold))
    @inline(__always) func keep(_ lanes: SIMD8<UInt64>) -> Vec {
        let top = SIMD16<Int32>(lowHalf: hashTop24(lanes), highHalf: hashTop24(lanes &+ 8))
        return Vec(repeating: scale).replacing(with: 0, where: top .< limit)
    }
    Parallel.forRanges(n, grain: 16384) { r in
        var i = r.lowerBound
        var lanes = SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7) &+ UInt64(i)
        while i &+ 16 <= r.upperBound {
            let v = load(x + i) * keep(lanes)
            store(a.map { v + load($0 + i) } ?? v, o + i)
            i &+= 16
            lanes &+= 16
        }
        if i < r.upperBound {
            let k = keep(lanes)
            for j in 0..<(r.upperBound &- i) {
                let v = x[i &+ j] * k[j]
                o[i &+ j] = a.map { v + $0[i &+ j] } ?? v
            }
        }
    }
}
