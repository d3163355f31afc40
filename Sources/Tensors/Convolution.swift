
/// Output length of a convolution along one axis, as PyTorch computes it (no dilation).
@inline(__always)
public func convolutionOutputSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
    (size + 2 * padding - kernel) / stride + 1
}

/// The shape of one 2-D convolution: an image [C, H, W] read by kh×kw windows.
/// Its im2col matrix has one row per (c, ky, kx), in the order of the weight's [C, kh, kw],
/// and one column per output position (oy, ox): `rows` × `positions`.
struct ConvolutionGeometry {
    let channels, height, width, kh, kw, stride, padding, outH, outW: Int
    var rows: Int { channels * kh * kw }
    var positions: Int { outH * outW }
    /// A 1×1, stride-1 convolution reads the image itself as its im2col matrix.
    var readsImageDirectly: Bool { kh == 1 && kw == 1 && stride == 1 && padding == 0 }

    /// The run of output columns ox whose input column ox·s − p + kx lies inside the image.
    @inline(__always) func validColumns(kx: Int) -> Range<Int> {
        let lo = padding > kx ? (padding - kx + stride - 1) / stride : 0
        let last = width - 1 + padding - kx
        let hi = last < 0 ? 0 : min(outW, last / stride + 1)
        return lo..<max(lo, hi)
    }

    /// col [rows, positions] ← the windows of image [C, H, W], zeros where they overhang.
    func im2col(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        var row = col
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let valid = validColumns(kx: kx)
                    for oy in 0..<outH {
                        let dst = row + oy * outW
                        let iy = oy * stride - padding + ky
                        guard iy >= 0 && iy < height && !valid.isEmpty else {
                            dst.update(repeating: 0, count: outW)
                            continue
                        }
                        let src = plane + iy * width - padding + kx
                        dst.update(repeating: 0, count: valid.lowerBound)
                        if stride == 1 {
                            (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
                        } else {
                            var ix = valid.lowerBound * stride
                            for ox in valid { dst[ox] = src[ix]; ix &+= stride }
                        }
                        (dst + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound)
                    }
                    row += positions
                }
            }
        }
    }

    /// image [C, H, W] += the windows of col [rows, positions] (im2col's adjoint).
    func col2imAdding(_ col: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>) {
        var row = col
        for c in 0..<channels {
            let plane = image + c * height * width
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let valid = validColumns(kx: kx)
                    for oy in 0..<outH where !valid.isEmpty {
                        let iy = oy * stride - padding + ky
                        guard iy >= 0 && iy < height else { continue }
                        let src = row + oy * outW, dst = plane + iy * width - padding + kx
                        if stride == 1 {
                            applyBinary(.add, dst + valid.lowerBound, src + valid.lowerBound, dst + valid.lowerBound, valid.count)
                        } else {
                            var ix = valid.lowerBound * stride
                            for ox in valid { dst[ix] += src[ox]; ix &+= stride }
                        }
                    }
                    row += positions
                }
            }
        }
    }
}

/// How many workers share `count` images of `costPerImage` multiply-adds: one per core when worth it.
func imageWorkers(_ count: Int, costPerImage: Int) -> Int {
    min(Parallel.cores, count, max(1, count * costPerImage / (1 << 18)))
}

/// Runs `body(images, worker)` on one contiguous run of images per worker. Images rather than
/// GEMM rows are split because a 28×28 image's GEMMs are too small to split well, and per-image
/// work needs no locks (each worker owns its scratch and outputs).
func forImageRuns(_ count: Int, workers: Int, _ body: (Range<Int>, Int) -> Void) {
    if workers <= 1 {
        body(0..<count, 0)
        return
    }
    let per = (count + workers - 1) / workers
    Parallel.perform(iterations: workers) { w in
        let lo = w * per, hi = min(count, lo + per)
        if lo < hi { body(lo..<hi, w) }
    }
}

extension Tensor {
    /// 2-D cross-correlation as `torch.nn.functional.conv2d` (no dilation, no groups), via
    /// im2col and one GEMM per image: out_b [O, Ho·Wo] = W [O, C·kh·kw] · col_b [C·kh·kw, Ho·Wo].
    // x is (B, C, H, W), weight (O, C, kh, kw), bias (O); out is (B, O, Ho, Wo),
    // Ho = (H + 2·padding − kh) / stride + 1. The backward recomputes col rather than keeping it:
    // im2col costs less than the GEMMs, and col is C·kh·kw times larger than the image.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                     "conv2d: input \(x.shape) does not fit weight \(weight.shape) ([B, C, H, W] and [O, C, kh, kw])")
        precondition(stride > 0 && padding >= 0, "conv2d: stride \(stride), padding \(padding)")
        let b = x.shape[0], o = weight.shape[0]
        let geo = ConvolutionGeometry(
            channels: x.shape[1], height: x.shape[2], width: x.shape[3], kh: weight.shape[2], kw: weight.shape[3],
            stride: stride, padding: padding,
            outH: convolutionOutputSize(x.shape[2], kernel: weight.shape[2], stride: stride, padding: padding),
            outW: convolutionOutputSize(x.shape[3], kernel: weight.shape[3], stride: stride, padding: padding))
        precondition(geo.outH > 0 && geo.outW > 0, "conv2d: kernel \(weight.shape[2])×\(weight.shape[3]) does not fit input \(x.shape) with padding \(padding)")
        if let bias { precondition(bias.shape == [o], "conv2d: bias \(bias.shape) for \(o) output channels") }
        let k = geo.rows, p = geo.positions, imageSize = geo.channels * geo.height * geo.width
        let out = Tensor(uninitialized: [b, o, geo.outH, geo.outW])
        let xp = x.data, wp = weight.data, op = out.data, bp = bias?.data
        forImageRuns(b, workers: imageWorkers(b, costPerImage: o * k * p)) { images, _ in
            let col = geo.readsImageDirectly ? nil : Tensor(uninitialized: [k, p])
            for i in images {
                let xi = xp + i * imageSize, oi = op + i * o * p
                if let col { geo.im2col(xi, col.data) }
                if let bp { for c in 0..<o { (oi + c * p).update(repeating: bp[c], count: p) } }
                gemm(m: o, n: p, k: k, wp, lda: k, col?.data ?? xi, ldb: p, beta: bp == nil ? 0 : 1, oi, ldc: p)
            }
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        return out.recorded(from: inputs) { g in
            let gp = g.data
            let gx = x.requiresGrad ? Tensor(zeros: x.shape) : nil
            let wantW = weight.requiresGrad
            let workers = imageWorkers(b, costPerImage: 2 * o * k * p)
            // One dW partial per worker (worker 0's is the result), summed after.
            let gw = wantW ? Tensor(zeros: weight.shape) : nil
            let partials = gw.map { [$0] + (1..<workers).map { _ in Tensor(zeros: weight.shape) } } ?? []
            let gxp = gx?.data
            forImageRuns(b, workers: workers) { images, worker in
                let direct = geo.readsImageDirectly
                let col = wantW && !direct ? Tensor(uninitialized: [k, p]) : nil
                let dcol = gxp != nil && !direct ? Tensor(uninitialized: [k, p]) : nil
                let dw = wantW ? partials[worker].data : nil
                for i in images {
                    let xi = xp + i * imageSize, gi = gp + i * o * p
                    if let dw {
                        // dW += dout_b · col_bᵀ
                        if let col { geo.im2col(xi, col.data) }
                        gemm(transposeB: true, m: o, n: k, k: p, gi, lda: p, col?.data ?? xi, ldb: p, beta: 1, dw, ldc: k)
                    }
                    if let gxp {
                        // dcol_b = Wᵀ · dout_b, folded back onto the image.
                        let gxi = gxp + i * imageSize
                        if let dcol {
                            gemm(transposeA: true, m: k, n: p, k: o, wp, lda: k, gi, ldb: p, dcol.data, ldc: p)
                            geo.col2imAdding(dcol.data, gxi)
                        } else {
                            gemm(transposeA: true, m: k, n: p, k: o, wp, lda: k, gi, ldb: p, gxi, ldc: p)
                        }
                    }
                }
            }
            for partial in partials.dropFirst() { gw!.addInPlace(partial) }
            var result: [Tensor?] = [gx, gw]
            if let bias {
                // dbias = Σ over images and positions of dout
                var gb: Tensor?
                if bias.requiresGrad {
                    let t = Tensor(zeros: [o])
                    for i in 0..<b { for c in 0..<o { t.data[c] += vsum(gp + (i * o + c) * p, p) } }
                    gb = t
                }
                result.append(gb)
            }
            return result
        }
    }
}
