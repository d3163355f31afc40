extension Tensor {
    /// Layer normalization over the last axis (Ba et al. 2016), as `torch.nn.functional.layer_norm`:
    /// y = (x − mean) / sqrt(var + eps) · gamma + beta, with the biased variance.
    // x is (N, C), gamma and beta are (C). Saves mean and 1/std per row for the backward.
    public func layerNorm(gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5) -> Tensor {
        let c = shape.last!, rows = count / c
        let y = Tensor(uninitialized: shape)
        let xhat = Tensor(uninitialized: shape)
        var rstd = [Float](repeating: 0, count: rows)
        let x = data, o = y.data, xh = xhat.data
        let gp = gamma?.data, bp = beta?.data
        rstd.withUnsafeMutableBufferPointer { rs in
            let rsp = rs.baseAddress!
            Parallel.forRows(rows, rowCost: c * 4) { r in
                let row = x + r * c
                let mean = vsum(row, c) / Float(c)
                let mv = Vec(repeating: mean)
                var acc = Vec()
                var i = 0
                while i &+ 16 <= c { let d = load(row + i) - mv; acc += d * d; i &+= 16 }
                var v = hsum(acc)
                while i < c { let d = row[i] - mean; v += d * d; i &+= 1 }
                let s = 1 / (v / Float(c) + eps).squareRoot()
                rsp[r] = s
                let sv = Vec(repeating: s)
                let outRow = o + r * c, xr = xh + r * c
                mapVec(row, xr, c) { ($0 - mv) * sv }
                if let gp, let bp {
                    mapVec2(xr, gp, outRow, c) { $0 * $1 }
                    applyBinary(.add, outRow, bp, outRow, c)
                } else if let gp {
                    applyBinary(.mul, xr, gp, outRow, c)
                } else if let bp {
                    applyBinary(.add, xr, bp, outRow, c)
                } else {
                    outRow.update(from: xr, count: c)
                }
            }
        }
        var inputs = [self]
        if let gamma { inputs.append(gamma) }
        if let beta { inputs.append(beta) }
        return y.recorded(from: inputs) { g in
            let gx = Tensor(uninitialized: self.shape)
            let gy = g.data, d = gx.data, xh = xhat.data  // keeps xhat alive until the backward
            // dxhat = dy·gamma; dx = rstd · (dxhat − mean(dxhat) − xhat·mean(dxhat·xhat))
            rstd.withUnsafeBufferPointer { rs in
                let rsp = rs.baseAddress!
                Parallel.forRows(rows, rowCost: c * 4) { r in
                    let dyr = gy + r * c, xr = xh + r * c, dxr = d + r * c
                    var a1 = Vec(), a2 = Vec()
                    var i = 0
                    while i &+ 16 <= c {
                        let dxh = gp.map { load(dyr + i) * load($0 + i) } ?? load(dyr + i)
                        a1 += dxh
                        a2 += dxh * load(xr + i)
                        i &+= 16
                    }
                    var s1 = hsum(a1), s2 = hsum(a2)
                    while i < c {
                        let dxh = dyr[i] * (gp?[i] ?? 1)
                        s1 += dxh; s2 += dxh * xr[i]
                        i &+= 1
                    }
                    let m1 = Vec(repeating: s1 / Float(c)), m2 = Vec(repeating: s2 / Float(c)), sv = Vec(repeating: rsp[r])
                    i = 0
                    while i &+ 16 <= c {
                        let dxh = gp.map { load(dyr + i) * load($0 + i) } ?? load(dyr + i)
                        store(sv * (dxh - m1 - load(xr + i) * m2), dxr + i)
                        i &+= 16
                    }
                    while i < c {
                        let dxh = dyr[i] * (gp?[i] ?? 1)
                        dxr[i] = rsp[r] * (dxh - s1 / Float(c) - xr[i] * s2 / Float(c))
                        i &+= 1
                    }
                }
            }
            var result: [Tensor?] = [gx]
            if let gamma {
                // dgamma = Σ_rows dy·xhat, dbeta = Σ_rows dy
                let dg = Tensor(zeros: gamma.shape)
                if gamma.requiresGrad {
                    let dgp = dg.data
                    for r in 0..<rows {
                        let dyr = gy + r * c, xr = xh + r * c
                        var i = 0
                        while i &+ 16 <= c { store(load(dgp + i) + load(dyr + i) * load(xr + i), dgp + i); i &+= 16 }
                        while i < c { dgp[i] += dyr[i] * xr[i]; i &+= 1 }
                    }
                }
                result.append(dg)
            }
            if let beta { result.append(beta.requiresGrad ? g.sum(to: beta.shape) : nil) }
            return result
        }
    }
}
