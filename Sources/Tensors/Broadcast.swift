/// NumPy broadcasting: shapes are aligned at the right; a dimension of 1 stretches.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let da = i < r - a.count ? 1 : a[i - (r - a.count)]
        let db = i < r - b.count ? 1 : b[i - (r - b.count)]
        precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
        out[i] = max(da, db)
    }
    return out
}

/// Element strides of a contiguous tensor of `shape` seen as `target` (0 where it broadcasts).
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let r = target.count
    var strides = [Int](repeating: 0, count: r)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        let ti = i + (r - shape.count)
        strides[ti] = shape[i] == 1 && target[ti] != 1 ? 0 : s
        s *= shape[i]
    }
    return strides
}

/// Calls `body(outIndex, aOffset, bOffset)` for every element of the broadcast result.
func forEachBroadcast(_ out: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
    let n = product(out)
    let r = out.count
    var idx = [Int](repeating: 0, count: r)
    var oa = 0, ob = 0
    for i in 0..<n {
        body(i, oa, ob)
        var d = r - 1
        while d >= 0 {
            idx[d] += 1
            oa += sa[d]; ob += sb[d]
            if idx[d] < out[d] { break }
            oa -= sa[d] * out[d]; ob -= sb[d] * out[d]
            idx[d] = 0
            d -= 1
        }
    }
}

/// Whether `small` broadcast to `big` simply repeats it along leading dimensions
/// (e.g. a bias [D] against activations [N, T, D]).
func isTrailingBroadcast(_ small: [Int], _ big: [Int]) -> Bool {
    var s = small
    while let f = s.first, f == 1, s.count > 1 { s.removeFirst() }
    guard s.count <= big.count else { return false }
    return Array(big.suffix(s.count)) == s
}

extension Tensor {
    /// Sums this (broadcast) gradient down to `target`'s shape.
    public func sum(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let tn = product(target)
        if tn == 1 { return Tensor([vsum(data, count)], shape: target) }
        let out = Tensor(zeros: target)
        if isTrailingBroadcast(target, shape) {
            let rows = count / tn
            let o = out.data
            for r in 0..<rows {
                let src = data + r * tn
                var i = 0
                while i &+ 16 <= tn { store(load(o + i) + load(src + i), o + i); i &+= 16 }
                while i < tn { o[i] += src[i]; i &+= 1 }
            }
            return out
        }
        let st = broadcastStrides(target, to: shape)
        let zero = [Int](repeating: 0, count: shape.count)
        let o = out.data, src = data
        forEachBroadcast(shape, st, zero) { i, oi, _ in o[oi] += src[i] }
        return out
    }
}
