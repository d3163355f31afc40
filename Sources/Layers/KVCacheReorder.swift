import Tensors

extension KVCache {
    /// Beam search: row i of the cache becomes old row `rows[i]` (the beam it was extended from,
    /// as fairseq's `reorder_incremental_state`); fewer rows than before drop the others (finished
    /// sentences leave the batch). Only the filled positions are copied, on every core, into a
    /// buffer kept from the previous call, so a step allocates nothing.
    public func reorder(rows: [Int]) {
        guard let s = storage else { return }
        let b = s.shape[0], cap = s.shape[1], w = s.shape[2]
        precondition(rows.count <= b && rows.allSatisfy { (0..<b).contains($0) }, "KV cache reorder: bad row indices for \(b) rows")
        if rows == Array(0..<b) { return }
        let out = spare.flatMap { $0.shape[0] == rows.count && $0.shape[1] == cap && $0.shape[2] == w ? $0 : nil }
            ?? Tensor(uninitialized: [rows.count, cap, w])
        let filled = capacity == 0 ? cap : length
        nonisolated(unsafe) let (src, dst) = (s.data, out.data)
        Parallel.forRows(rows.count, rowCost: filled * w) { i in
            (dst + i * cap * w).update(from: src + rows[i] * cap * w, count: filled * w)
        }
        spare = rows.count == b ? s : nil
        storage = out
    }
}
