import Data
import Foundation
import Layers
import Models

/// One layer's attention of one kind as an SVG picture: a heat map per head side by side, queries
/// down the left (labelled on the first), keys along the bottom of each, shaded from white (0) to
/// dark blue (the head's largest weight, printed under its map).
public struct AttentionHeatMapSVG {
    public init() {}

    /// The file name of a map: `layer-3-cross.svg`.
    public static func fileName(layer: Int, kind: AttentionKind) -> String { "layer-\(layer)-\(kind.rawValue).svg" }

    public func render(_ map: AttentionMap, queries: [String], keys: [String], model: String, sides: AttentionSides) -> String {
        let cell = Double(max(4, min(18, 360 / max(map.queries, map.keys, 1))))
        let font = min(11, max(5, cell - 2))
        func width(_ labels: [String]) -> Double { Double(labels.map { Self.label($0).count }.max() ?? 1) * font * 0.62 + 6 }
        let left = width(queries), bottom = width(keys)
        let panelW = cell * Double(map.keys), panelH = cell * Double(map.queries), gap = 24.0, top = 58.0
        let totalW = left + Double(map.heads) * (panelW + gap) + 10, totalH = top + panelH + bottom + 34
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(totalW))" height="\(f(totalH))" viewBox="0 0 \(f(totalW)) \(f(totalH))" \
        font-family="sans-serif" xml:space="preserve">
        <rect width="100%" height="100%" fill="white"/>
        <text x="6" y="16" font-size="13" font-weight="bold">\(Self.escape(model)): layer \(map.layer), \(Self.title(map.kind))</text>
        <text x="6" y="32" font-size="11">rows: \(Self.escape(sides.queries)) (queries); columns: \(Self.escape(sides.keys)) (keys)</text>

        """
        for h in 0..<map.heads {
            let x0 = left + Double(h) * (panelW + gap)
            let weights = map.head(h)
            let top1 = weights.max() ?? 0
            s += "<g><text x=\"\(f(x0))\" y=\"\(f(top - 4))\" font-size=\"11\">head \(h + 1)</text>\n"
            for q in 0..<map.queries {
                for k in 0..<map.keys {
                    let w = weights[weights.startIndex + q * map.keys + k]
                    let t = top1 > 0 ? Double(w / top1) : 0
                    if t < 0.005 { continue }  // as white as the background (masked keys among them)
                    s += "<rect x=\"\(f(x0 + Double(k) * cell))\" y=\"\(f(top + Double(q) * cell))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"\(Self.shade(t))\"><title>\(Self.escape(queries[q])) → \(Self.escape(keys[k])): \(String(format: "%.4f", w))</title></rect>\n"
                }
            }
            s += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(panelW))\" height=\"\(f(panelH))\" fill=\"none\" stroke=\"#888\"/>\n"
            for (k, key) in keys.enumerated() {
                let x = x0 + (Double(k) + 0.5) * cell + font * 0.35, y = top + panelH + 4
                s += "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(font))\" transform=\"rotate(90 \(f(x)) \(f(y)))\">"
                    + "\(Self.escape(Self.label(key)))</text>\n"
            }
            s += "<text x=\"\(f(x0))\" y=\"\(f(top + panelH + bottom + 16))\" font-size=\"10\" fill=\"#555\">darkest = \(String(format: "%.3f", top1))</text></g>\n"
        }
        for (q, query) in queries.enumerated() {
            s += "<text x=\"\(f(left - 4))\" y=\"\(f(top + (Double(q) + 0.5) * cell + font * 0.35))\" font-size=\"\(f(font))\" text-anchor=\"end\">\(Self.escape(Self.label(query)))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// "cross-attention", "encoder self-attention", …
    public static func title(_ kind: AttentionKind) -> String {
        switch kind {
        case .selfAttention: "self-attention"
        case .encoderSelf: "encoder self-attention"
        case .decoderSelf: "decoder masked self-attention"
        case .cross: "cross-attention (decoder over encoder)"
        }
    }

    /// A token as a label: spaces kept (the page shows word starts), a blank token as ␣.
    static func label(_ token: String) -> String { token.allSatisfy(\.isWhitespace) ? "\u{2423}" : token }

    /// White to dark blue.
    static func shade(_ t: Double) -> String {
        let c = max(0, min(1, t))
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * c).rounded()) }
        return String(format: "#%02x%02x%02x", mix(255, 8), mix(255, 48), mix(255, 107))
    }

    static func escape(_ s: String) -> String { XMLText.escaped(s) }

    func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
