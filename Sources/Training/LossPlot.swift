import Foundation

/// The training curve as a hand-written SVG (`loss.svg`, next to `train.jsonl`): training loss
/// (averaged into at most `maxPoints` buckets so a long run stays a small file) and validation
/// loss against the step, with ticked axes and a legend.
public enum LossPlot {
    public static let fileName = "loss.svg"

    /// The SVG of `records`' `loss` and `val_loss`.
    public static func svg(_ records: [TrainingRecord], title: String, maxPoints: Int = 600) -> String {
        let train = bucketed(records.filter { $0.loss.isFinite }.map { (Double($0.step), $0.loss) }, maxPoints: maxPoints)
        let validation = records.compactMap { r in r.validation["val_loss"].flatMap { $0.isFinite ? (Double(r.step), $0) : nil } }
        return svg(train: train, validation: validation, title: title)
    }

    /// Writes the plot atomically to `url`.
    public static func write(_ records: [TrainingRecord], title: String, to url: URL) throws {
        do {
            try Data(svg(records, title: title).utf8).write(to: url, options: .atomic)
        } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    // MARK: - Drawing

    static let width = 720.0, height = 420.0
    static let left = 64.0, right = 20.0, top = 36.0, bottom = 48.0

    static func svg(train: [(Double, Double)], validation: [(Double, Double)], title: String) -> String {
        let all = train + validation
        let maxStep = max(1, all.map(\.0).max() ?? 1)
        var lo = all.map(\.1).min() ?? 0, hi = all.map(\.1).max() ?? 1
        if hi - lo < 1e-9 { lo -= 0.5; hi += 0.5 }
        let yTicks = ticks(lo, hi, count: 6), xTicks = ticks(0, maxStep, count: 8)
        let y0 = min(lo, yTicks.first ?? lo), y1 = max(hi, yTicks.last ?? hi)
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ s: Double) -> Double { left + s / maxStep * plotW }
        func y(_ v: Double) -> Double { top + (1 - (v - y0) / (y1 - y0)) * plotH }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(n(width / 2))" y="20" text-anchor="middle" font-size="14">\(escape(title))</text>

        """
        // Grid, ticks and labels.
        for t in yTicks where t >= y0 && t <= y1 {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(y(t)))\" x2=\"\(n(width - right))\" y2=\"\(n(y(t)))\" stroke=\"#e5e5e5\"/>"
            out += "<line x1=\"\(n(left - 5))\" y1=\"\(n(y(t)))\" x2=\"\(n(left))\" y2=\"\(n(y(t)))\" stroke=\"black\"/>"
            out += "<text x=\"\(n(left - 8))\" y=\"\(n(y(t) + 4))\" text-anchor=\"end\">\(label(t))</text>\n"
        }
        for t in xTicks where t >= 0 && t <= maxStep {
            out += "<line x1=\"\(n(x(t)))\" y1=\"\(n(top))\" x2=\"\(n(x(t)))\" y2=\"\(n(height - bottom))\" stroke=\"#f0f0f0\"/>"
            out += "<line x1=\"\(n(x(t)))\" y1=\"\(n(height - bottom))\" x2=\"\(n(x(t)))\" y2=\"\(n(height - bottom + 5))\" stroke=\"black\"/>"
            out += "<text x=\"\(n(x(t)))\" y=\"\(n(height - bottom + 18))\" text-anchor=\"middle\">\(label(t))</text>\n"
        }
        // Axes and their names.
        out += "<polyline points=\"\(n(left)),\(n(top)) \(n(left)),\(n(height - bottom)) \(n(width - right)),\(n(height - bottom))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 10))\" text-anchor=\"middle\">step</text>\n"
        out += "<text x=\"16\" y=\"\(n(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(n(top + plotH / 2)))\">loss</text>\n"
        // Curves.
        if !train.isEmpty {
            let points = train.map { "\(n(x($0.0))),\(n(y($0.1)))" }.joined(separator: " ")
            out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n"
        }
        if !validation.isEmpty {
            let points = validation.map { "\(n(x($0.0))),\(n(y($0.1)))" }.joined(separator: " ")
            out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n"
            for (s, v) in validation {
                out += "<circle cx=\"\(n(x(s)))\" cy=\"\(n(y(v)))\" r=\"3\" fill=\"#d62728\"><title>step \(Int(s)): \(String(format: "%.4f", v))</title></circle>\n"
            }
        }
        // Legend.
        let lx = width - right - 150
        out += "<rect x=\"\(n(lx))\" y=\"\(n(top + 6))\" width=\"140\" height=\"42\" fill=\"white\" stroke=\"#cccccc\"/>\n"
        out += "<line x1=\"\(n(lx + 8))\" y1=\"\(n(top + 20))\" x2=\"\(n(lx + 32))\" y2=\"\(n(top + 20))\" stroke=\"#1f77b4\" stroke-width=\"2\"/>"
        out += "<text x=\"\(n(lx + 38))\" y=\"\(n(top + 24))\">training loss</text>\n"
        out += "<line x1=\"\(n(lx + 8))\" y1=\"\(n(top + 38))\" x2=\"\(n(lx + 32))\" y2=\"\(n(top + 38))\" stroke=\"#d62728\" stroke-width=\"2\"/>"
        out += "<text x=\"\(n(lx + 38))\" y=\"\(n(top + 42))\">validation loss</text>\n"
        return out + "</svg>\n"
    }

    /// About `count` round tick values (steps of 1, 2 or 5 × 10^k) covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        let span = max(hi - lo, 1e-12)
        let raw = span / Double(max(count - 1, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var out: [Double] = []
        var t = floor(lo / step) * step
        while t <= hi + step * 0.5 && out.count < 50 {
            out.append(t)
            t += step
        }
        return out
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        return String(format: abs(v) < 0.01 ? "%.1e" : "%g", v)
    }

    /// Means of consecutive groups so at most `maxPoints` remain.
    static func bucketed(_ points: [(Double, Double)], maxPoints: Int) -> [(Double, Double)] {
        guard points.count > maxPoints, maxPoints > 0 else { return points }
        let size = Int((Double(points.count) / Double(maxPoints)).rounded(.up))
        return stride(from: 0, to: points.count, by: size).map { start in
            let group = points[start..<min(start + size, points.count)]
            return (group.last!.0, group.map(\.1).reduce(0, +) / Double(group.count))
        }
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
