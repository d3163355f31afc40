/// Whether what `zoo eval` measures on a held-out split is what the model's card reports for it,
/// to the card's rounding (`zoo eval --check SPLIT`, `make check-zoo`): a shipped model must be the
/// model its card describes.
public struct CardCheck: Sendable {
    /// One metric both have: the evaluation's name, the card's key, both values, and whether they agree.
    public struct Row: Sendable, Equatable {
        public var name: String
        public var key: String
        public var measured: Double
        public var card: Double
        public var agrees: Bool
    }

    public let rows: [Row]

    /// The card's key suffix of each metric `zoo eval` reports, and half the unit of the last
    /// digit the card shows: BLEU, F1 and perplexity to 2 decimals, chrF to 1, the loss to 4,
    /// accuracy as a percentage to 2.
    static let compared: [(name: String, key: String, tolerance: Double)] = [
        ("bleu", "bleu", 0.005), ("chrf", "chrf", 0.05), ("f1", "f1", 0.005), ("tagging_accuracy", "tag_accuracy", 0.005),
        ("accuracy", "accuracy", 0.000_05), ("loss", "loss", 0.000_05), ("ppl", "ppl", 0.005),
    ]

    /// Compares `evaluation` with the card's metrics named `SPLIT_name` (`split`: test, val, dev).
    public init(_ evaluation: Evaluation, card metrics: [String: Double], split: String) {
        rows = Self.compared.compactMap { c in
            guard let measured = evaluation.metrics[c.name], let card = metrics["\(split)_\(c.key)"] else { return nil }
            // A hair over half a unit: values printed from the same float round alike.
            return Row(name: c.name, key: "\(split)_\(c.key)", measured: measured, card: card,
                       agrees: abs(measured - card) <= c.tolerance * (1 + 1e-9))
        }
    }

    public var agrees: Bool { !rows.isEmpty && rows.allSatisfy(\.agrees) }

    /// "bleu 19.99 = test_bleu 19.99, chrf 40.76 = test_chrf 40.76" (≠ where they differ).
    public var summary: String {
        rows.map { "\($0.name) \(Self.number($0.measured)) \($0.agrees ? "=" : "≠") \($0.key) \(Self.number($0.card))" }
            .joined(separator: ", ")
    }

    static func number(_ x: Double) -> String {
        abs(x) < 10 ? String(format: "%.4f", x) : String(format: "%.2f", x)
    }
}
