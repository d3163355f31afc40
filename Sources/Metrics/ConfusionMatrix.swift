import Foundation

/// Counts of (true class, predicted class) pairs: rows are true classes, columns predictions.
public struct ConfusionMatrix: Sendable, Equatable {
    public let labels: [String]
    /// `counts[truth][predicted]`.
    public private(set) var counts: [[Int]]

    public init(labels: [String]) {
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    public mutating func add(truth: Int, predicted: Int) { counts[truth][predicted] += 1 }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { labels.indices.reduce(0) { $0 + counts[$1][$1] } }
    public var accuracy: Double { Double(correct) / Double(max(total, 1)) }

    /// The matrix as aligned text: a header of predicted labels, one row per true label.
    public var table: String {
        let corner = "true \\ predicted"
        let rowWidth = max(corner.count, labels.map(\.count).max() ?? 0)
        let widths = labels.indices.map { c in max(labels[c].count, counts.map { String($0[c]).count }.max() ?? 1) }
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let space = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + space : space + s
        }
        var lines = [pad(corner, rowWidth, left: true) + "  " + labels.indices.map { pad(labels[$0], widths[$0]) }.joined(separator: "  ")]
        for (r, row) in counts.enumerated() {
            lines.append(pad(labels[r], rowWidth, left: true) + "  " + row.indices.map { pad(String(row[$0]), widths[$0]) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
