extension Tensor {
    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1−p).
    /// One draw from `generator` seeds a counter-based hash (splitmix64 of seed + index), so the
    /// mask is the same for a given seed however the work is split across cores.
    public func dropout(_ p: Float, generator: inout RandomGenerator) -> Tensor {
        if p <= 0 { return self }
        precondition(p < 1, "dropout probability \(p) must be below 1")
        let scale = 1 / (1 - p)
        let seed = generator.next()
        let threshold = UInt32(Double(p) * 16_777_216)
        let mask = Tensor(uninitialized: shape)
        let y = Tensor(uninitialized: shape)
        let m = mask.data, x = data, o = y.data
        Parallel.forRanges(count, grain: 16384) { r in
            var i = r.lowerBound
            while i < r.upperBound {
                var z = seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                let keep: Float = UInt32(truncatingIfNeeded: z >> 40) < threshold ? 0 : scale
                m[i] = keep
                o[i] = x[i] * keep
                i &+= 1
            }
        }
        return y.recorded(from: [self]) { g in [binaryForward(.mul, g, mask)] }
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
