import Data
import Foundation
import Models

/// Attention over an image drawn as PNG pictures: the picture the model saw, enlarged (nearest
/// neighbour) and turned grey, under a heat colour whose opacity is each patch's weight relative
/// to the largest.
public enum AttentionOverlay {
    /// Pixels per image pixel, so a 28 × 28 image becomes 224 × 224.
    public static func scale(_ picture: AttentionPicture) -> Int { max(1, 224 / max(picture.image.width, picture.image.height)) }

    /// The picture alone, enlarged, in RGB.
    public static func picture(_ p: AttentionPicture) -> PNGImage { draw(p, patches: nil) }

    /// `patches` (one weight per patch, row-major) over the picture.
    public static func overlay(_ p: AttentionPicture, patches: [Float]) -> PNGImage { draw(p, patches: patches) }

    static func draw(_ p: AttentionPicture, patches: [Float]?) -> PNGImage {
        let image = p.image, s = scale(p)
        let w = image.width * s, h = image.height * s
        let top = patches?.max() ?? 0
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let ix = x / s, iy = y / s
                let grey = (0..<image.channels).reduce(Float(0)) { $0 + image[ix, iy, $1] } / Float(image.channels)
                var rgb = (0..<3).map { c -> Float in image.channels == 3 ? image[ix, iy, c] : grey }
                if let patches {
                    let col = min(p.columns - 1, ix * p.columns / image.width), row = min(p.rows - 1, iy * p.rows / image.height)
                    let t = top > 0 ? patches[row * p.columns + col] / top : 0
                    // Grey underneath, then a heat colour from red (little) to yellow (most), 80% opaque at the top.
                    let heat: [Float] = [1, 0.15 + 0.85 * t, 0]
                    let alpha = 0.8 * t
                    rgb = (0..<3).map { c in (1 - alpha) * (0.35 + 0.5 * grey) + alpha * heat[c] }
                }
                for c in 0..<3 { out[(y * w + x) * 3 + c] = UInt8(max(0, min(255, (rgb[c] * 255).rounded()))) }
            }
        }
        return PNGImage(width: w, height: h, channels: 3, samples: out)
    }

    /// The class token's attention over the patches (row 0 of a map over [CLS] + patches, without
    /// its own column).
    public static func classRow(_ weights: ArraySlice<Float>, tokens: Int) -> [Float] {
        Array(weights[(weights.startIndex + 1)..<(weights.startIndex + tokens)])
    }
}
