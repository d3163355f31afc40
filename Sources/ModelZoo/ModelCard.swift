import Foundation

/// A zoo entry's `card.md`: what the model is, what it was trained on and how, what it measured,
/// a sample of its output, and how to reproduce it.
public struct ModelCard: Sendable {
    public var title: String
    /// A paragraph saying what the model is.
    public var summary: String
    /// The facts table: (what, value).
    public var facts: [(String, String)] = []
    /// A sample output, with a line saying how it was made.
    public var sample: (how: String, text: String)?
    /// The recipe's YAML, shown verbatim.
    public var recipe: String?
    /// Commands that reproduce or use the model.
    public var usage: [String] = []
    /// Whether the entry holds `loss.svg`.
    public var hasLossPlot = false

    public init(title: String, summary: String) {
        self.title = title
        self.summary = summary
    }

    public var markdown: String {
        var out = "# \(title)\n\n\(summary)\n\n"
        if !facts.isEmpty {
            out += "| | |\n|---|---|\n"
            for (what, value) in facts { out += "| \(what) | \(value.replacingOccurrences(of: "|", with: "\\|")) |\n" }
            out += "\n"
        }
        if let sample {
            out += "## Sample\n\n\(sample.how)\n\n"
            out += sample.text.split(separator: "\n", omittingEmptySubsequences: false).map { "> \($0)" }.joined(separator: "\n") + "\n\n"
        }
        if hasLossPlot { out += "## Training curve\n\n![training and validation loss](loss.svg)\n\n" }
        if !usage.isEmpty { out += "## Use\n\n```\n\(usage.joined(separator: "\n"))\n```\n\n" }
        if let recipe { out += "## Recipe\n\n```yaml\n\(recipe.hasSuffix("\n") ? recipe : recipe + "\n")```\n" }
        return out
    }

    /// `1.23 M`, `456 k`.
    public static func count(_ n: Int) -> String {
        if n >= 1_000_000 { return String(format: "%.2f M", Double(n) / 1e6) }
        if n >= 10_000 { return String(format: "%.0f k", Double(n) / 1e3) }
        return String(n)
    }
}
