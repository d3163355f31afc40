/// What `zoo eval` measured: the lines it prints and the same numbers by name, for `--json`
/// (`accuracy`, `loss`, `ppl`, `bleu`, `chrf`, `f1`, ...).
public struct Evaluation: Sendable, Equatable {
    public var lines: [String]
    public var metrics: [String: Double]

    public init(lines: [String], metrics: [String: Double]) {
        self.lines = lines
        self.metrics = metrics
    }
}
