import Tensors

/// Keys and values of past positions for incremental decoding: self-attention appends one
/// position per step; cross-attention computes the memory's keys and values once.
public final class KVCache {
    /// [B, capacity, 2·D]: each row is a position's key followed by its value. A cross-attention
    /// cache (capacity 0) holds the projected memory [B, S, 2·D] whole.
    var storage: Tensor?
    /// The buffer the next `reorder` writes into (the storage before the last one).
    var spare: Tensor?
    /// Positions filled so far.
    public private(set) var length = 0
    public let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    /// Appends `kv` [B, T, 2D] at the end.
    func append(_ kv: Tensor) {
        let b = kv.shape[0], t = kv.shape[1], w = kv.shape[2]
        if storage == nil { storage = Tensor(zeros: [b, capacity, w]) }
        precondition(length + t <= capacity, "KV cache full: \(length) + \(t) > \(capacity) positions")
        let s = storage!
        for bi in 0..<b {
            (s.data + (bi * capacity + length) * w).update(from: kv.data + bi * t * w, count: t * w)
        }
        length += t
    }
}

/// Multi-head attention (paper §3.2.2) with PyTorch's parameter layout: the query, key and value
/// projections packed in `in_proj_weight` [3D, D], so self-attention is one GEMM and the fused
/// attention kernel reads heads straight out of the packed result.
public final class MultiHeadAttention: Module {
    public let inProjWeight: Tensor
    public let inProjBias: Tensor
    public let outProj: Linear
    public let heads: Int
    public let dim: Int

    public init(dim: Int, heads: Int, generator: inout RandomGenerator) {
        precondition(dim % heads == 0, "model dimension \(dim) is not divisible by \(heads) heads")
        self.dim = dim
        self.heads = heads
        // PyTorch: xavier_uniform_ on in_proj_weight, zero biases.
        let bound = (6 / Float(dim + 3 * dim)).squareRoot()
        inProjWeight = .uniform([3 * dim, dim], -bound, bound, generator: &generator, requiresGrad: true)
        inProjBias = Tensor(zeros: [3 * dim], requiresGrad: true)
        outProj = Linear(dim, dim, generator: &generator)
        outProj.bias!.assign(Tensor(zeros: [dim]))
    }

    /// Where the weights of each call go (`AttentionRecorder`); nil, the default, keeps none.
    public var recording: AttentionRecording?

    var headDim: Int { dim / heads }

    /// The fused attention, its weights handed to `recording` when there is one.
    func attend(q: Tensor, k: Tensor, kOffset: Int = 0, v: Tensor, vOffset: Int, mask: AttentionMask, keyLength: Int? = nil) -> Tensor {
        guard let recording else {
            return .attention(q: q, k: k, kOffset: kOffset, v: v, vOffset: vOffset, heads: heads, headDim: headDim, mask: mask, keyLength: keyLength)
        }
        let (out, weights) = Tensor.attentionWithWeights(q: q, k: k, kOffset: kOffset, v: v, vOffset: vOffset, heads: heads, headDim: headDim,
                                                         mask: mask, keyLength: keyLength)
        recording.recorder.record(layer: recording.layer, kind: recording.kind, weights: weights)
        return out
    }

    /// Self-attention of x [B, T, D]; `cache` (inference) appends this step's keys and values and
    /// attends over every cached position.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask = .none, cache: KVCache? = nil) -> Tensor {
        let qkv = Tensor.linear(x, weight: inProjWeight, bias: inProjBias)
        guard let cache else {
            return outProj(attend(q: qkv, k: qkv, kOffset: dim, v: qkv, vOffset: 2 * dim, mask: mask))
        }
        cache.append(qkv.slice(axis: 2, dim..<(3 * dim)))
        let kv = cache.storage!
        return outProj(attend(q: qkv, k: kv, v: kv, vOffset: dim, mask: mask, keyLength: cache.length))
    }

    /// Cross-attention of queries x [B, Tq, D] over `memory` [M, Tk, D]. With a cache, the memory's
    /// keys and values are projected on the first call only. M may divide B: memory row i then
    /// serves query rows i·B/M ..< (i+1)·B/M (beam search's beams of one source), which attend as
    /// one sequence of B/M·Tq queries, so each source's keys and values are projected, kept and
    /// read once rather than once per beam; `mask` then has M rows of key padding.
    public func callAsFunction(_ x: Tensor, memory: Tensor, mask: AttentionMask = .none, cache: KVCache? = nil) -> Tensor {
        let q = Tensor.linear(x, weight: inProjWeight, bias: inProjBias, rows: 0..<dim)
        let kv: Tensor
        if let cache, let cached = cache.storage {
            kv = cached
        } else {
            kv = Tensor.linear(memory, weight: inProjWeight, bias: inProjBias, rows: dim..<(3 * dim))
            if let cache { cache.storage = kv }
        }
        let rows = x.shape[0], sources = kv.shape[0]
        guard sources != rows else { return outProj(attend(q: q, k: kv, v: kv, vOffset: dim, mask: mask)) }
        precondition(sources > 0 && rows % sources == 0, "cross-attention: \(rows) query rows cannot share \(sources) memory rows")
        let t = x.shape[1], group = rows / sources
        let out = attend(q: q.reshaped([sources, group * t, dim]), k: kv, v: kv, vOffset: dim, mask: mask)
        return outProj(out.reshaped([rows, t, dim]))
    }
}
