import Tensors

extension KVCache {
    /// Beam search: row i of the cache becomes old row `rows[i]` (the beam it was extended from),
    /// as fairseq's `reorder_incremental_state`. Only the filled positions are copied; the spare
    /// capacity is left unset, as attention reads the first `length` keys only.
    public func reorder(rows: [Int]) {
        guard let s = storage else { return }
        let b = s.shape[0], cap = s.shape[1], w = s.shape[2]
        precondition(rows.count == b && rows.allSatisfy { (0..<b).contains($0) }, "KV cache reorder: bad row indices for \(b) rows")
        if rows == Array(0..<b) { return }
        let out = Tensor(uninitialized: s.shape)
        for (i, r) in rows.enumerated() {
            (out.data + i * cap * w).update(from: s.data + r * cap * w, count: length * w)
        }
        storage = out
    }
}
