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
            // dxhat = dy·gamma; dx = rstd · (dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), and in the
            // same pass dgamma = Σ_rows dy·xhat and dbeta = Σ_rows dy: summed in fixed chunks of
            // rows (each in row order, then the chunks in order), so the sums do not depend on the
            // number of cores.
            let wantGamma = gamma?.requiresGrad ?? false, wantBeta = beta?.requiresGrad ?? false
            let chunk = 64, chunks = (rows + chunk - 1) / chunk
            let partialGamma = wantGamma ? Tensor(zeros: [chunks, c]) : nil, partialBeta = wantBeta ? Tensor(zeros: [chunks, c]) : nil
            let pg = partialGamma?.data, pb = partialBeta?.data
            rstd.withUnsafeBufferPointer { rs in
                let rsp = rs.baseAddress!
                Parallel.forRows(chunks, rowCost: chunk * c * 6) { ch in
                    let sg = pg.map { $0 + ch * c }, sb = pb.map { $0 + ch * c }
                    for r in (ch * chunk)..<Swift.min(rows, (ch + 1) * chunk) {
                        let dyr = gy + r * c, xr = xh + r * c, dxr = d + r * c
                        var a1 = Vec(), a2 = Vec()
                        var i = 0
                        while i &+ 16 <= c {
                            let dy = load(dyr + i), x = load(xr + i)
                            let dxh = gp.map { dy * load($0 + i) } ?? dy
                            a1 += dxh
                            a2 += dxh * x
                            if let sg { store(load(sg + i) + dy * x, sg + i) }
                            if let sb { store(load(sb + i) + dy, sb + i) }
                            i &+= 16
                        }
                        var s1 = hsum(a1), s2 = hsum(a2)
                        while i < c {
                            let dxh = dyr[i] * (gp?[i] ?? 1)
                            s1 += dxh; s2 += dxh * xr[i]
                            sg?[i] += dyr[i] * xr[i]
                            sb?[i] += dyr[i]
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
            }
            var result: [Tensor?] = [gx]
            if let gamma {
                let dg = Tensor(zeros: gamma.shape)
                if let pg { addColumnSums(pg, rows: chunks, width: c, into: dg.data) }
                result.append(dg)
            }
            if let beta {
                var db: Tensor?
                if let pb {
                    db = Tensor(zeros: beta.shape)
                    addColumnSums(pb, rows: chunks, width: c, into: db!.data)
                }
                result.append(db)
            }
            return result
        }
    }
}
