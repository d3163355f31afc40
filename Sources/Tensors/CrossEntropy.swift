import Foundation

extension Tensor {
    /// Mean cross entropy of logits [N, V] against `targets` [N], as
    /// `torch.nn.functional.cross_entropy(label_smoothing:ignore_index:)`:
    /// loss_i = (1−ε)·(−log p_{y_i}) + ε/V · Σ_c (−log p_c), averaged over targets ≠ ignoreIndex.
    /// Fused: no log-softmax tensor is kept; the backward recomputes softmax from the saved logΣexp.
    public func crossEntropy(targets: [Int32], labelSmoothing eps: Float = 0, ignoreIndex: Int32 = -100) -> Tensor {
        let v = shape.last!, n = count / v
        precondition(targets.count == n, "\(targets.count) targets for \(n) rows of logits")
        var lse = [Float](repeating: 0, count: n)
        var losses = [Float](repeating: 0, count: n)
        let x = data
        lse.withUnsafeMutableBufferPointer { lb in
            losses.withUnsafeMutableBufferPointer { lossb in
                let l = lb.baseAddress!, ls = lossb.baseAddress!
                Parallel.forRows(n, rowCost: v * 2) { r in
                    let t = targets[r]
                    if t == ignoreIndex { ls[r] = 0; return }
                    precondition(t >= 0 && Int(t) < v, "target \(t) outside \(v) classes")
                    let row = x + r * v
                    let z = logSumExpRow(row, v)
                    l[r] = z
                    let nll = z - row[Int(t)]
                    ls[r] = eps == 0 ? nll : (1 - eps) * nll + eps * (z - vsum(row, v) / Float(v))
                }
            }
        }
        let valid = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        let denom = Float(Swift.max(valid, 1))
        var total: Double = 0
        for r in 0..<n { total += Double(losses[r]) }
        let loss = Tensor(scalar: valid == 0 ? 0 : Float(total / Double(denom)))
        return loss.recorded(from: [self]) { g in
            let gx = Tensor(uninitialized: self.shape)
            let d = gx.data, scale = g.item / denom, off = eps / Float(v)
            lse.withUnsafeBufferPointer { lb in
                let l = lb.baseAddress!
                Parallel.forRows(n, rowCost: v * 2) { r in
                    let t = targets[r], row = x + r * v, out = d + r * v
                    if t == ignoreIndex { out.update(repeating: 0, count: v); return }
                    // d/dlogits = softmax − ((1−ε)·onehot + ε/V)
                    let zv = Vec(repeating: l[r]), ov = Vec(repeating: off), sv = Vec(repeating: scale)
                    mapVec(row, out, v) { (vexp($0 - zv) - ov) * sv }
                    out[Int(t)] -= (1 - eps) * scale
                }
            }
            return [gx]
        }
    }
}
