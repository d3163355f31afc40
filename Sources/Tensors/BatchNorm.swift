extension Tensor {
    /// Batch normalization (Ioffe & Szegedy 2015) per channel (axis 1), as
    /// `torch.nn.functional.batch_norm`: y = (x − mean) / sqrt(var + eps) · gamma + beta.
    ///
    /// Training normalizes with the batch's mean and biased variance, and (when given) updates
    /// the running statistics in place as PyTorch does: running = (1 − momentum)·running +
    /// momentum·batch, with the *unbiased* variance. Evaluation normalizes with the running
    /// statistics, which it needs. The running statistics are state, not inputs: no gradient.
    // x is (B, C, *) (e.g. (B, C, H, W)), gamma, beta, runningMean, runningVar are (C).
    // Saves each channel's mean and 1/std for the backward, which recomputes xhat from x.
    public func batchNorm(gamma: Tensor?, beta: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
                          training: Bool, momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
        precondition(rank >= 2, "batchNorm: input \(shape) has no channel axis")
        let b = shape[0], c = shape[1], s = count / Swift.max(1, b * c), n = b * s
        for t in [gamma, beta, runningMean, runningVar] {
            if let t { precondition(t.shape == [c], "batchNorm: per-channel tensor \(t.shape) for \(c) channels") }
        }
        precondition(training || (runningMean != nil && runningVar != nil), "batchNorm: evaluation needs running statistics")
        precondition(!training || n > 1, "batchNorm: training needs more than one value per channel, got \(shape)")
        var mean = [Float](repeating: 0, count: c), rstd = [Float](repeating: 0, count: c)
        let y = Tensor(uninitialized: shape)
        let x = data, o = y.data, gp = gamma?.data, bp = beta?.data
        let rm = runningMean?.data, rv = runningVar?.data
        mean.withUnsafeMutableBufferPointer { mb in
            rstd.withUnsafeMutableBufferPointer { rb in
                let mp = mb.baseAddress!, rp = rb.baseAddress!
                Parallel.forRows(c, rowCost: n * (training ? 4 : 2)) { ch in
                    // Channel ch is b segments of s contiguous values, one per image.
                    let segment = { (i: Int) in x + (i * c + ch) * s }
                    let m: Float, v: Float
                    if training {
                        // Two passes (mean, then squared deviations) for accuracy; segments in Double.
                        var total = 0.0
                        for i in 0..<b { total += Double(vsum(segment(i), s)) }
                        m = Float(total / Double(n))
                        let mv = Vec(repeating: m)
                        var squares = 0.0
                        for i in 0..<b {
                            let row = segment(i)
                            var acc = Vec()
                            var j = 0
                            while j &+ 16 <= s { let d = load(row + j) - mv; acc += d * d; j &+= 16 }
                            var part = hsum(acc)
                            while j < s { let d = row[j] - m; part += d * d; j &+= 1 }
                            squares += Double(part)
                        }
                        v = Float(squares / Double(n))
                        if let rm, let rv {
                            rm[ch] = (1 - momentum) * rm[ch] + momentum * m
                            rv[ch] = (1 - momentum) * rv[ch] + momentum * Float(squares / Double(n - 1))
                        }
                    } else {
                        m = rm![ch]
                        v = rv![ch]
                    }
                    let r = 1 / (v + eps).squareRoot()
                    mp[ch] = m
                    rp[ch] = r
                    // y = x·scale + shift, scale = gamma/std, shift = beta − mean·scale.
                    let scale = r * (gp?[ch] ?? 1), shift = (bp?[ch] ?? 0) - m * scale
                    let sv = Vec(repeating: scale), hv = Vec(repeating: shift)
                    for i in 0..<b {
                        let off = (i * c + ch) * s
                        mapVec(x + off, o + off, s) { $0 * sv + hv }
                    }
                }
            }
        }
        var inputs = [self]
        if let gamma { inputs.append(gamma) }
        if let beta { inputs.append(beta) }
        return y.recorded(from: inputs) { g in
            let gx = self.requiresGrad ? Tensor(uninitialized: self.shape) : nil
            let dgamma = gamma?.requiresGrad == true ? Tensor(uninitialized: [c]) : nil
            let dbeta = beta?.requiresGrad == true ? Tensor(uninitialized: [c]) : nil
            let dy = g.data, dx = gx?.data, dgp = dgamma?.data, dbp = dbeta?.data
            Parallel.forRows(c, rowCost: n * 4) { ch in
                let m = mean[ch], r = rstd[ch], mv = Vec(repeating: m)
                // s1 = Σ dy, s2 = Σ dy·xhat over the channel's n values.
                var s1 = 0.0, s2 = 0.0
                for i in 0..<b {
                    let off = (i * c + ch) * s
                    let gr = dy + off, xr = x + off
                    var a1 = Vec(), a2 = Vec()
                    var j = 0
                    while j &+ 16 <= s {
                        let d = load(gr + j)
                        a1 += d
                        a2 += d * (load(xr + j) - mv)
                        j &+= 16
                    }
                    var p1 = hsum(a1), p2 = hsum(a2)
                    while j < s { p1 += gr[j]; p2 += gr[j] * (xr[j] - m); j &+= 1 }
                    s1 += Double(p1)
                    s2 += Double(p2)
                }
                s2 *= Double(r)
                dgp?[ch] = Float(s2)
                dbp?[ch] = Float(s1)
                guard let dx else { return }
                // Training: dx = gamma·rstd·(dy − s1/n − xhat·s2/n) (the batch statistics depend
                // on x); evaluation: dx = gamma·rstd·dy.
                let k = r * (gp?[ch] ?? 1)
                let c1 = training ? Float(s1 / Double(n)) : 0, c2 = training ? Float(s2 / Double(n)) * r : 0
                let kv = Vec(repeating: k), c1v = Vec(repeating: c1), c2v = Vec(repeating: c2)
                for i in 0..<b {
                    let off = (i * c + ch) * s
                    mapVec2(dy + off, x + off, dx + off, s) { d, xv in kv * (d - c1v - (xv - mv) * c2v) }
                }
            }
            var result: [Tensor?] = [gx]
            if gamma != nil { result.append(dgamma) }
            if beta != nil { result.append(dbeta) }
            return result
        }
    }
}
