import Tensors

/// An image cut into non-overlapping P×P patches, each flattened and projected to D dimensions
/// (Dosovitskiy et al. 2021, eq. 1). This is Hugging Face's / timm's `Conv2d(C, D, kernel = stride = P)`
/// written as one GEMM: its weight [D, C, P, P] flattened to [D, C·P·P] in the same (c, y, x)
/// order is `projection.weight` here.
public final class PatchEmbedding: Module {
    public let projection: Linear
    public let patchSize: Int
    public let channels: Int

    public init(channels: Int, patchSize: Int, dim: Int, generator: inout RandomGenerator) {
        precondition(channels > 0 && patchSize > 0 && dim > 0, "bad patch embedding \(channels)×\(patchSize)² → \(dim)")
        projection = Linear(channels * patchSize * patchSize, dim, generator: &generator)
        self.patchSize = patchSize
        self.channels = channels
    }

    /// images [B, C, H, W] → [B, N, D] with N = (H/P)·(W/P) patches in row-major order.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        precondition(images.rank == 4 && images.shape[1] == channels, "expected [B, \(channels), H, W] images, got \(images.shape)")
        let b = images.shape[0], h = images.shape[2], w = images.shape[3], p = patchSize
        precondition(h % p == 0 && w % p == 0, "image \(h)×\(w) is not a multiple of patch \(p)")
        let rows = h / p, cols = w / p
        // [B, C, rows, P, cols, P] → [B, rows, cols, C, P, P]: each patch's values in (c, y, x) order.
        let patches = images.reshaped([b, channels, rows, p, cols, p]).permuted([0, 2, 4, 1, 3, 5])
            .reshaped([b, rows * cols, channels * p * p])
        return projection(patches)
    }
}
