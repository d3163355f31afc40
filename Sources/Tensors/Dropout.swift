extension Tensor {
    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1−p).
    /// The mask comes from `generator`, so a fixed seed repeats the same mask.
    public func dropout(_ p: Float, generator: inout RandomGenerator) -> Tensor {
        if p <= 0 { return self }
        precondition(p < 1, "dropout probability \(p) must be below 1")
        let scale = 1 / (1 - p)
        let mask = Tensor(uninitialized: shape)
        let m = mask.data
        // Two 24-bit uniforms from each 64-bit draw.
        let threshold = UInt64(Double(p) * 16_777_216)
        var i = 0
        while i + 1 < count {
            let r = generator.next()
            m[i] = (r >> 40) < threshold ? 0 : scale
            m[i + 1] = ((r >> 16) & 0xFF_FFFF) < threshold ? 0 : scale
            i += 2
        }
        if i < count { m[i] = (generator.next() >> 40) < threshold ? 0 : scale }
        let y = binaryForward(.mul, self, mask)
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
