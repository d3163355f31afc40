import Foundation

extension Tensor {
    /// The same elements in another shape (shares storage). One dimension may be -1.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let i = s.firstIndex(of: -1) {
            s[i] = count / Swift.max(1, s.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *))
        }
        precondition(product(s) == count, "cannot reshape \(shape) to \(newShape)")
        let original = shape
        return Tensor(storage: settledStorage, shape: s).recorded(from: [self]) { g in
            [Tensor(storage: g.storage, shape: original)]
        }
    }

    /// Dimensions reordered: result dimension i is input dimension `order[i]` (a copy).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "bad permutation \(order) for rank \(rank)")
        let out = Tensor(uninitialized: order.map { shape[$0] })
        permuteCopy(from: self, into: out, order: order)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return out.recorded(from: [self]) { g in
            let gx = Tensor(uninitialized: self.shape)
            permuteCopy(from: g, into: gx, order: inverse)
            return [gx]
        }
    }

    /// Swaps two dimensions (a copy).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a < 0 ? rank + a : a, b < 0 ? rank + b : b)
        return permuted(order)
    }

    /// Elements `range` along `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = axis < 0 ? rank + axis : axis
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[ax], "slice \(range) out of \(shape[ax])")
        let outer = product(shape[..<ax]), n = shape[ax], inner = product(shape[(ax + 1)...])
        var outShape = shape
        outShape[ax] = range.count
        let out = Tensor(uninitialized: outShape)
        let chunk = range.count * inner
        for a in 0..<outer {
            (out.data + a * chunk).update(from: data + (a * n + range.lowerBound) * inner, count: chunk)
        }
        return out.recorded(from: [self]) { g in
            let gx = Tensor(zeros: self.shape)
            for a in 0..<outer {
                (gx.data + (a * n + range.lowerBound) * inner).update(from: g.data + a * chunk, count: chunk)
            }
            return [gx]
        }
    }

    /// Tensors joined along `axis`.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of nothing")
        let first = parts[0]
        let ax = axis < 0 ? first.rank + axis : axis
        let outer = product(first.shape[..<ax]), inner = product(first.shape[(ax + 1)...])
        var outShape = first.shape
        outShape[ax] = parts.map { $0.shape[ax] }.reduce(0, +)
        for p in parts {
            precondition(p.rank == first.rank && product(p.shape[..<ax]) == outer && product(p.shape[(ax + 1)...]) == inner,
                         "concat: \(p.shape) does not fit \(first.shape) along axis \(ax)")
        }
        let out = Tensor(uninitialized: outShape)
        let total = outShape[ax] * inner
        var offset = 0
        var offsets: [Int] = []
        for p in parts {
            offsets.append(offset)
            let chunk = p.shape[ax] * inner
            for a in 0..<outer { (out.data + a * total + offset).update(from: p.data + a * chunk, count: chunk) }
            offset += chunk
        }
        return out.recorded(from: parts) { g in
            zip(parts, offsets).map { p, off in
                guard p.requiresGrad else { return nil }
                let gp = Tensor(uninitialized: p.shape)
                let chunk = p.shape[ax] * inner
                for a in 0..<outer { (gp.data + a * chunk).update(from: g.data + a * total + off, count: chunk) }
                return gp
            }
        }
    }
}

/// Copies `src` into `dst` with dimensions reordered by `order`.
func permuteCopy(from src: Tensor, into dst: Tensor, order: [Int]) {
    let r = src.rank
    var srcStrides = [Int](repeating: 1, count: r)
    for i in stride(from: r - 2, through: 0, by: -1) { srcStrides[i] = srcStrides[i + 1] * src.shape[i + 1] }
    let strides = order.map { srcStrides[$0] }
    let outShape = dst.shape
    let p = src.data, o = dst.data
    // The innermost dimension is a strided copy; the rest is an odometer.
    let innerN = outShape.last ?? 1, innerS = strides.last ?? 1
    let outer = dst.count / Swift.max(1, innerN)
    var idx = [Int](repeating: 0, count: Swift.max(0, r - 1))
    var base = 0
    for row in 0..<outer {
        let dstRow = o + row * innerN
        if innerS == 1 {
            dstRow.update(from: p + base, count: innerN)
        } else {
            var s = base
            for j in 0..<innerN { dstRow[j] = p[s]; s &+= innerS }
        }
        var d = r - 2
        while d >= 0 {
            idx[d] += 1
            base += strides[d]
            if idx[d] < outShape[d] { break }
            base -= strides[d] * outShape[d]
            idx[d] = 0
            d -= 1
        }
    }
}
