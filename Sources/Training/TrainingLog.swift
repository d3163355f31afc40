import Foundation

/// One optimizer step as the trainer logs it.
public struct TrainingRecord: Equatable, Sendable {
    /// 1-based number of the step just taken.
    public var step: Int
    /// Mean training loss of the step's micro-batches.
    public var loss: Double
    public var learningRate: Double
    public var tokensPerSecond: Double
    /// Wall-clock seconds since the run began (across resumes).
    public var elapsed: Double
    /// Held-out metrics when the step was followed by an evaluation (`val_loss`, `val_ppl`, ...).
    public var validation: [String: Double]

    public init(step: Int, loss: Double, learningRate: Double, tokensPerSecond: Double, elapsed: Double,
                validation: [String: Double] = [:]) {
        self.step = step
        self.loss = loss
        self.learningRate = learningRate
        self.tokensPerSecond = tokensPerSecond
        self.elapsed = elapsed
        self.validation = validation
    }

    /// `{"step":1,"loss":5.12,"lr":0.001,"tokens_per_s":18000.5,"elapsed_s":0.41,"val_loss":...}`:
    /// fixed key order, numbers as JSON numbers (non-finite ones as null).
    public var jsonLine: String {
        var parts = ["\"step\":\(step)", "\"loss\":\(json(loss))", "\"lr\":\(json(learningRate))",
                     "\"tokens_per_s\":\(json(tokensPerSecond.rounded()))", "\"elapsed_s\":\(json((elapsed * 1000).rounded() / 1000))"]
        for key in validation.keys.sorted() { parts.append("\"\(key)\":\(json(validation[key]!))") }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// Parses a line written by `jsonLine` (a flat object of numbers); nil for anything else, such
    /// as a line torn by a crash. Numbers are read with Swift's exact parser, so a record survives
    /// the round trip bit for bit.
    public init?(jsonLine line: Substring) {
        let body = line.trimmingCharacters(in: .whitespaces)
        guard body.hasPrefix("{"), body.hasSuffix("}") else { return nil }
        var values: [String: Double] = [:]
        for field in body.dropFirst().dropLast().split(separator: ",") {
            let parts = field.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            guard key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") else { return nil }
            let text = parts[1].trimmingCharacters(in: .whitespaces)
            guard let value = text == "null" ? Double.nan : Double(text) else { return nil }
            values[String(key.dropFirst().dropLast())] = value
        }
        guard let step = values["step"], let s = Int(exactly: step) else { return nil }
        self.init(step: s, loss: values["loss"] ?? .nan, learningRate: values["lr"] ?? .nan,
                  tokensPerSecond: values["tokens_per_s"] ?? .nan, elapsed: values["elapsed_s"] ?? .nan)
        for (key, value) in values where key.hasPrefix("val_") { validation[key] = value }
    }

    private func json(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
}

/// The JSON-lines training log (`train.jsonl`): one object per optimizer step, flushed as it is
/// written so a crash loses at most the step in flight. A resumed run first drops the lines after
/// the checkpoint's step, so the log reads as if the run had never stopped.
public final class TrainingLog {
    /// `test_bleu 19.9900, val_loss 3.1380`: metrics sorted by name, four decimals, as progress
    /// notes, run summaries and exports print them.
    public static func metricLine(_ metrics: [String: Double]) -> String {
        metrics.keys.sorted().map { "\($0) \(String(format: "%.4f", metrics[$0]!))" }.joined(separator: ", ")
    }

    public static let fileName = "train.jsonl"
    public let url: URL
    /// Every record of the run so far (the kept lines of a resumed run included).
    public private(set) var records: [TrainingRecord]
    private let handle: FileHandle

    /// Opens the log at `url`. With `keepingThrough` the records up to that step are kept (resume);
    /// otherwise the log starts empty.
    public init(url: URL, keepingThrough step: Int? = nil) throws {
        self.url = url
        // A resumed run keeps the earlier lines verbatim (not re-printed), up to the checkpoint's step.
        var kept: [(line: Substring, record: TrainingRecord)] = []
        if let step, FileManager.default.fileExists(atPath: url.path) {
            kept = try Self.lines(url).filter { $0.record.step <= step }
        }
        records = kept.map(\.record)
        let text = kept.map { $0.line + "\n" }.joined()
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    deinit { try? handle.close() }

    public func append(_ record: TrainingRecord) throws {
        records.append(record)
        do {
            try handle.write(contentsOf: Data((record.jsonLine + "\n").utf8))
        } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The records of the log at `url` (lines that do not parse, such as a torn last line, are skipped).
    public static func read(_ url: URL) throws -> [TrainingRecord] {
        try lines(url).map(\.record)
    }

    private static func lines(_ url: URL) throws -> [(line: Substring, record: TrainingRecord)] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw TrainingError.cannotRead(path: url.path, reason: error.localizedDescription)
        }
        return text.split(separator: "\n").compactMap { line in TrainingRecord(jsonLine: line).map { (line, $0) } }
    }
}
