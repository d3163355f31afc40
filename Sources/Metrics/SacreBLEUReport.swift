import Foundation
import Data

/// What sacreBLEU prints: signatures, score lines and its JSON, reproduced character for
/// character (`sacrebleu/metrics/base.py`, `Score.format` and `Signature.format`, and
/// `sacrebleu/utils.py`, `print_single_results`).
public enum SacreBLEU {
    /// The sacreBLEU release whose numbers and output this matches (`version:` in signatures).
    public static let version = "2.6.0"
}

/// The output of `sacrebleu REF... -i HYP -m bleu chrf` for one system, in either format.
public enum SacreBLEUReport {
    /// sacreBLEU's `--format`: its text line or its JSON object.
    public enum Format: String, CaseIterable, Sendable {
        /// `-f text`: one line a metric, aligned on ` = `.
        case text
        /// sacreBLEU's default: a JSON object, or an array of them for several metrics.
        case json
    }

    /// What sacreBLEU prints for `scores` (in the order given; its command line sorts the metrics
    /// by name, so BLEU comes before chrF), without the final newline. `width` is the number of
    /// decimals (sacreBLEU's `-w`, default 1), `short` its `-sh` (text only), `scoreOnly` its `-b`.
    public static func render(_ scores: [any MetricScore], format: Format = .text, width: Int = 1,
                              short: Bool = false, scoreOnly: Bool = false) -> String {
        switch format {
        case .json:
            let items = scores.map { scoreOnly ? $0.formatted(width: width, scoreOnly: true) : $0.json(width: width) }
            return items.count == 1 ? items[0] : "[\n" + items.joined(separator: ",\n") + "\n]"
        case .text:
            let lines = scores.map { $0.formatted(width: width, signature: $0.signature.formatted(short: short), scoreOnly: scoreOnly) }
            if lines.count == 1 { return lines[0] }
            // print_single_results: lines without '=' are printed as they come, the others
            // right-aligned so that their '=' signs line up.
            var plain: [String] = [], aligned: [(Int, String)] = []
            for line in lines {
                if let eq = line.unicodeScalars.firstIndex(of: "=") {
                    aligned.append((line.unicodeScalars.distance(from: line.unicodeScalars.startIndex, to: eq) - 1, line))
                } else {
                    plain.append(line)
                }
            }
            let w = aligned.map(\.0).max() ?? 0
            return (plain + aligned.map { String(repeating: " ", count: w - $0.0) + $0.1 }).joined(separator: "\n")
        }
    }
}
