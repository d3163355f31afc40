extension Tensor {
    /// Σ x² in Double: fixed blocks of 4,096 elements, each summed in 16 float lanes on whichever
    /// core, then added in order, so the result does not depend on the number of cores.
    public func sumOfSquares() -> Double {
        let block = 4096, blocks = (count + block - 1) / block, n = count, p = data
        var partial = [Double](repeating: 0, count: blocks)
        partial.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            Parallel.forRows(blocks, rowCost: block) { b in
                let lo = b &* block, hi = Swift.min(n, lo &+ block)
                var acc = Vec(), i = lo
                while i &+ 16 <= hi { let v = load(p + i); acc += v * v; i &+= 16 }
                var s = Double(hsum(acc))
                while i < hi { s += Double(p[i]) * Double(p[i]); i &+= 1 }
                o[b] = s
            }
        }
        return partial.reduce(0, +)
    }

    /// Sum of all elements (rank 0).
    public func sum() -> Tensor {
        Tensor(scalar: vsum(data, count)).recorded(from: [self]) { g in
            [Tensor(repeating: g.item, shape: self.shape)]
        }
    }

    /// Mean of all elements (rank 0).
    public func mean() -> Tensor { sum() * (1 / Float(count)) }

    /// Sum along `axis`.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let ax = axis < 0 ? rank + axis : axis
        let outer = product(shape[..<ax]), n = shape[ax], inner = product(shape[(ax + 1)...])
        var kept = shape
        kept[ax] = 1
        let out = Tensor(zeros: kept)
        let p = data, o = out.data
        for a in 0..<outer {
            for j in 0..<n {
                let src = p + (a * n + j) * inner, dst = o + a * inner
                applyBinary(.add, dst, src, dst, inner)
            }
        }
        var outShape = shape
        if keepDims { outShape[ax] = 1 } else { outShape.remove(at: ax) }
        let result = Tensor(storage: out.storage, shape: outShape)
        return result.recorded(from: [self]) { g in
            [Tensor(storage: g.storage, shape: kept).broadcast(to: self.shape)]
        }
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        sum(axis: axis, keepDims: keepDims) * (1 / Float(size(axis)))
    }

    /// Maximum along the last axis (gradient to the first maximal element).
    public func max(axis: Int = -1) -> Tensor {
        let ax = axis < 0 ? rank + axis : axis
        precondition(ax == rank - 1, "max is implemented along the last axis")
        let n = shape[ax], rows = count / n
        let out = Tensor(uninitialized: Array(shape.dropLast()))
        var arg = [Int](repeating: 0, count: rows)
        for r in 0..<rows {
            let p = data + r * n
            var best = 0
            for j in 1..<n where p[j] > p[best] { best = j }
            arg[r] = best
            out.data[r] = p[best]
        }
        return out.recorded(from: [self]) { g in
            let gx = Tensor(zeros: self.shape)
            for r in 0..<rows { gx.data[r * n + arg[r]] = g.data[r] }
            return [gx]
        }
    }

    /// Index of the largest element along the last axis, per row.
    public func argmax() -> [Int] {
        let n = shape.last ?? 1, rows = count / n
        return (0..<rows).map { r in
            let p = data + r * n
            var best = 0
            for j in 1..<n where p[j] > p[best] { best = j }
            return best
        }
    }

    /// Not recorded: repeats this tensor to a broadcast-compatible larger shape.
    func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let out = Tensor(uninitialized: target)
        let st = broadcastStrides(shape, to: target), zero = [Int](repeating: 0, count: target.count)
        let p = data, o = out.data
        forEachBroadcast(target, st, zero) { i, si, _ in o[i] = p[si] }
        return out
    }
}
