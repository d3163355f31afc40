extension Tensor {
    /// Rows of a [V, D] table picked by `ids` (an embedding lookup); the result is `idsShape + [D]`.
    /// The backward scatter-adds into the table's gradient.
    public func gatherRows(_ ids: [Int32], shape idsShape: [Int]) -> Tensor {
        precondition(rank == 2, "gatherRows needs a [V, D] table, got \(shape)")
        precondition(ids.count == product(idsShape), "\(ids.count) ids for shape \(idsShape)")
        let v = shape[0], d = shape[1]
        let out = Tensor(uninitialized: idsShape + [d])
        let o = out.data
        for id in ids { precondition(id >= 0 && Int(id) < v, "id \(id) outside a table of \(v) rows") }
        if let q = quantized, valuesDeferred {
            // A quantized table without its fp32 copy: the rows, dequantized.
            for (i, id) in ids.enumerated() { q.dequantizeRows(Int(id)..<Int(id) + 1, into: o + i * d) }
        } else {
            let p = data
            for (i, id) in ids.enumerated() { (o + i * d).update(from: p + Int(id) * d, count: d) }
        }
        return out.recorded(from: [self]) { g in
            let gt = Tensor(zeros: self.shape)
            let gp = g.data, t = gt.data
            for (i, id) in ids.enumerated() {
                let dst = t + Int(id) * d
                applyBinary(.add, dst, gp + i * d, dst, d)
            }
            return [gt]
        }
    }
}
