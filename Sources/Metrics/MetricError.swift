/// Hypotheses and references a corpus metric cannot score, with what is wrong.
public enum MetricError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No hypotheses at all.
    case noHypotheses
    /// A reference stream whose length differs from the hypotheses'.
    case lengthMismatch(hypotheses: Int, stream: Int, references: Int)
    /// A hypothesis without any reference.
    case noReferences(segment: Int)

    public var description: String {
        switch self {
        case .noHypotheses: "no hypotheses to score"
        case .lengthMismatch(let h, let k, let r):
            "\(h) hypotheses but \(r) lines in reference stream \(k + 1); every reference stream needs one line per hypothesis"
        case .noReferences(let i): "hypothesis \(i + 1) has no reference"
        }
    }
}

/// The checks and reshaping the corpus metrics share.
enum MetricInput {
    /// Reference streams (`streams[k][i]`, sacreBLEU's layout) as per-segment lists.
    static func segments(hypotheses: [String], streams: [[String]]) throws -> [[String]] {
        if hypotheses.isEmpty { throw MetricError.noHypotheses }
        if streams.isEmpty { throw MetricError.noReferences(segment: 0) }
        for (k, stream) in streams.enumerated() where stream.count != hypotheses.count {
            throw MetricError.lengthMismatch(hypotheses: hypotheses.count, stream: k, references: stream.count)
        }
        return hypotheses.indices.map { i in streams.map { $0[i] } }
    }

    static func check(hypotheses: Int, segments: [[String]]) throws {
        if hypotheses == 0 { throw MetricError.noHypotheses }
        if segments.count != hypotheses { throw MetricError.lengthMismatch(hypotheses: hypotheses, stream: 0, references: segments.count) }
        if let i = segments.firstIndex(where: \.isEmpty) { throw MetricError.noReferences(segment: i) }
    }

    /// The references a segment for the signature: nil (`nrefs:var`) when segments differ.
    static func referenceCount(_ segments: [[String]]) -> Int? {
        let counts = Set(segments.map(\.count))
        return counts.count == 1 ? counts.first : nil
    }
}
