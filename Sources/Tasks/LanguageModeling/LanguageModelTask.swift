import Foundation
import Layers
import Models
import Tensors
import Tokenization
import Training

/// Next-token prediction on a stream of text (GPT): the documents, tokenized and joined with an
/// end-of-text token after each one, are cut into random windows of context + 1 tokens; the loss
/// is the cross entropy of each next token. Validation reads the held-out stream in consecutive
/// windows and reports the mean loss per token and its perplexity.
public final class LanguageModelTask: TrainingTask {
    /// `rows` windows of `length` tokens: inputs and their next tokens, row-major.
    public struct Batch {
        public var inputs: [Int32]
        public var targets: [Int32]
        public var rows: Int
        public var length: Int
    }

    public let model: GPT
    public let trainTokens: [Int32]
    public let validationTokens: [Int32]
    public let labelSmoothing: Float
    /// Windows per evaluation batch.
    public let evaluationRows: Int
    /// Told after each evaluation batch: windows done, windows in all.
    public var progress: ((Int, Int) -> Void)?

    public var randomSources: [RandomSource] { [model.random] }
    /// Window length: the model's context, or less when the text is shorter.
    public var context: Int { min(model.config.maxLength, trainTokens.count - 1) }

    /// Throws when either stream is too short to hold a window of two tokens.
    public init(model: GPT, trainTokens: [Int32], validationTokens: [Int32], labelSmoothing: Float = 0,
                evaluationRows: Int = 16) throws {
        guard trainTokens.count >= 2 else { throw TrainingError.badData(path: "training text", reason: "only \(trainTokens.count) token(s); a language model needs at least 2") }
        guard validationTokens.count >= 2 else { throw TrainingError.badData(path: "validation text", reason: "only \(validationTokens.count) token(s); need at least 2") }
        let v = Int32(model.config.vocabSize)
        if let bad = (trainTokens + validationTokens).first(where: { $0 < 0 || $0 >= v }) {
            throw TrainingError.badData(path: "tokens", reason: "token id \(bad) is outside the model's vocabulary of \(v)")
        }
        self.model = model
        self.trainTokens = trainTokens
        self.validationTokens = validationTokens
        self.labelSmoothing = labelSmoothing
        self.evaluationRows = max(1, evaluationRows)
    }

    // MARK: - Training

    /// tokens / context windows (at least one), each starting at a uniformly random position.
    public func makeBatch(tokens: Int, generator: inout RandomGenerator) -> Batch {
        let t = context
        let rows = max(1, tokens / t)
        let starts = UInt64(trainTokens.count - t)
        var inputs: [Int32] = [], targets: [Int32] = []
        inputs.reserveCapacity(rows * t)
        targets.reserveCapacity(rows * t)
        for _ in 0..<rows {
            let s = Int(generator.next() % starts)
            inputs += trainTokens[s..<(s + t)]
            targets += trainTokens[(s + 1)...(s + t)]
        }
        return Batch(inputs: inputs, targets: targets, rows: rows, length: t)
    }

    public func tokenCount(of batch: Batch) -> Int { batch.targets.count }

    public func loss(on batch: Batch) -> Tensor {
        let logits = model(batch.inputs, shape: [batch.rows, batch.length])
        return logits.reshaped([-1, model.config.vocabSize]).crossEntropy(targets: batch.targets, labelSmoothing: labelSmoothing)
    }

    public var splitsAcrossRanks: Bool { true }

    /// A slice of the batch's windows; every window has `length` targets.
    public func partialLoss(on batch: Batch, part: Int, of parts: Int) -> Tensor? {
        let rows = DataParallel.slice(batch.rows, part: part, of: parts)
        guard !rows.isEmpty else { return nil }
        let span = (rows.lowerBound * batch.length)..<(rows.upperBound * batch.length)
        let mine = Batch(inputs: Array(batch.inputs[span]), targets: Array(batch.targets[span]), rows: rows.count, length: batch.length)
        return loss(on: mine) * (Float(rows.count) / Float(batch.rows))
    }

    // MARK: - Evaluation

    /// Mean cross entropy per held-out token (no label smoothing) over consecutive windows, and
    /// its exponential, the perplexity. `batches` × `evaluationRows` windows; 0: the whole stream.
    public func evaluate(batches: Int) -> [String: Double] {
        let t = min(model.config.maxLength, validationTokens.count - 1)
        let available = (validationTokens.count - 1) / t
        let windows = batches == 0 ? available : min(available, batches * evaluationRows)
        var total = 0.0, count = 0
        var w = 0
        while w < windows {
            let rows = min(evaluationRows, windows - w)
            var inputs: [Int32] = [], targets: [Int32] = []
            for r in 0..<rows {
                let s = (w + r) * t
                inputs += validationTokens[s..<(s + t)]
                targets += validationTokens[(s + 1)...(s + t)]
            }
            let logits = model(inputs, shape: [rows, t])
            let loss = logits.reshaped([-1, model.config.vocabSize]).crossEntropy(targets: targets).item
            total += Double(loss) * Double(rows * t)
            count += rows * t
            w += rows
            progress?(w, windows)
        }
        let mean = total / Double(max(count, 1))
        return ["loss": mean, "ppl": Foundation.exp(mean)]
    }

    // MARK: - Text to tokens

    /// The documents of `text`: its non-empty lines, or its paragraphs (separated by blank lines,
    /// their lines joined by spaces).
    public static func documents(in text: String, unit: LanguageModelOptions.DocumentUnit) -> [String] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        switch unit {
        case .line:
            return lines.filter { !$0.isEmpty }
        case .paragraph:
            var out: [String] = [], current: [String] = []
            for line in lines {
                if line.isEmpty {
                    if !current.isEmpty { out.append(current.joined(separator: " ")); current = [] }
                } else {
                    current.append(line)
                }
            }
            if !current.isEmpty { out.append(current.joined(separator: " ")) }
            return out
        }
    }

    /// One token stream: each document's ids followed by the end-of-text id (or, for a tokenizer
    /// without one, preceded by its beginning-of-text id). Encodes on every core.
    public static func tokens(of documents: [String], tokenizer: any TextTokenizer) -> [Int32] {
        let eos = tokenizer.endOfTextId, bos = eos == nil ? tokenizer.beginningOfTextId : nil
        var ids: [Int32] = []
        for encoded in Parallel.map(documents, { tokenizer.encode($0) }) {
            if let bos { ids.append(bos) }
            ids += encoded
            if let eos { ids.append(eos) }
        }
        return ids
    }
}
