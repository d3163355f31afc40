/// Batches of item indices with similar lengths, longest first (as fairseq orders its batches): a
/// batch decodes until its longest item ends and pads every source to its longest, so mixing
/// lengths costs steps and padding. Callers put results back by the indices.
public func lengthBatches(lengths: [Int], batchSize: Int) -> [[Int]] {
    let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
    return stride(from: 0, to: order.count, by: max(1, batchSize)).map { Array(order[$0..<min(order.count, $0 + max(1, batchSize))]) }
}
