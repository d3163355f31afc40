/// What `zoo eval` was asked: the data and the decoding settings. Each family reads the fields it
/// needs and says which are missing.
public struct EvaluationRequest: Sendable {
    /// A data file, folder or named data set (language model: text; images: a folder of class folders).
    public var data: String?
    /// Translation: the source sentences and the reference files.
    public var source: String?
    public var references: [String] = []
    /// Translation: where to write the hypotheses.
    public var hypothesesOut: String?
    public var beam = 4
    public var lengthPenalty = 0.6
    /// Examples per forward pass.
    public var batchSize = 64
    public init() {}

    /// The options of `zoo eval` that ask for this evaluation (the data, and the decoding where it
    /// differs from the default), quoted for a shell: what a card's "remake it" line repeats.
    public var arguments: String {
        var words: [String] = []
        if let data { words += ["--data", data] }
        if let source { words += ["--src", source] }
        for reference in references { words += ["--ref", reference] }
        if source != nil {
            let defaults = EvaluationRequest()
            if beam != defaults.beam { words += ["--beam", "\(beam)"] }
            if lengthPenalty != defaults.lengthPenalty { words += ["--length-penalty", "\(lengthPenalty)"] }
        }
        return words.map(Self.shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
