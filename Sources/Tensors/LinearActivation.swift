/// An activation fused into `Tensor.linear`: applied in place on the product while it is at hand,
/// and in the backward its slope is applied in the same pass that sums the bias gradient. Unfused,
/// the feed-forward's hidden activations take an extra buffer and two more passes over memory.
public enum LinearActivation: Sendable {
    case identity, relu
    /// GELU with the exact normal CDF (PyTorch's default).
    case gelu
    /// GELU's tanh form (GPT-2's "gelu_new").
    case geluTanh
}

/// Applies `activation` in place to `out` [rows, width]; returns the slope dy/dx when recording
/// (ReLU's is read from its output instead).
func applyActivation(_ activation: LinearActivation, _ out: Tensor, recording: Bool) -> Tensor? {
    let po = out.data
    switch activation {
    case .identity:
        return nil
    case .relu:
        Parallel.forRanges(out.count) { r in mapVec(po + r.lowerBound, po + r.lowerBound, r.count) { $0.replacing(with: 0, where: $0 .< 0) } }
        return nil
    case .gelu, .geluTanh:
        let exact = activation == .gelu
        guard recording else {
            Parallel.forRanges(out.count) { r in
                let o = po + r.lowerBound
                if exact { mapVec(o, o, r.count, geluErf) } else { mapVec(o, o, r.count) { geluTanhWithSlope($0).0 } }
            }
            return nil
        }
        let slope = Tensor(uninitialized: out.shape), ps = slope.data
        Parallel.forRanges(out.count) { r in
            let o = po + r.lowerBound, s = ps + r.lowerBound
            if exact { mapVecWithSlope(o, o, s, r.count, geluErfWithSlope) } else { mapVecWithSlope(o, o, s, r.count, geluTanhWithSlope) }
        }
        return slope
    }
}

/// The gradient before the activation, dz = g · slope [rows, width] (for ReLU, g where the output
/// `y` is positive), with Σ_rows dz added to `bias` in the same pass. Rows go in fixed chunks, each
/// summed in row order and the chunks then in order, so the sum does not depend on the core count.
func activationBackward(_ activation: LinearActivation, _ g: Tensor, slope: Tensor?, output y: Tensor,
                        rows: Int, width: Int, bias: UnsafeMutablePointer<Float>?) -> Tensor {
    let dz = Tensor(uninitialized: g.shape)
    let chunk = 64, chunks = (rows + chunk - 1) / chunk
    let partial = bias == nil ? nil : Tensor(uninitialized: [chunks, width])
    let pg = g.data, pd = dz.data, ps = slope?.data, py = y.data, pp = partial?.data
    Parallel.forRows(chunks, rowCost: chunk * width * 2) { c in
        let sums = pp.map { $0 + c * width }
        for i in (c * chunk)..<Swift.min(rows, (c + 1) * chunk) {
            let o = i * width
            if let ps {
                applyBinary(.mul, pg + o, ps + o, pd + o, width)
            } else {
                mapVec2(pg + o, py + o, pd + o, width) { g, y in g.replacing(with: 0, where: y .<= 0) }
            }
            if let sums {
                if i == c * chunk { sums.update(from: pd + o, count: width) } else { applyBinary(.add, sums, pd + o, sums, width) }
            }
        }
    }
    if let bias, let pp { addColumnSums(pp, rows: chunks, width: width, into: bias) }
    return dz
}
