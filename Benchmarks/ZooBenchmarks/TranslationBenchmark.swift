import Foundation
import Tasks

/// Translation throughput of a trained zoo entry beside `Benchmarks/peers/torch_peers.py`'s
/// `torch-translate-beam4`: the whole test set, beam 4, length penalty α = 0.6 (Wu et al. 2016),
/// batches of 32, incremental decoding with the KV cache (`BeamSearch`, fairseq-style).
///
/// Environment:
/// - `ZOO_MT_MODEL`: the entry's directory (default `Zoo/bible-en-es`).
/// - `ZOO_MT_SOURCE`: source sentences, one a line (default `data/bible-en-es/test.en`).
/// - `ZOO_MT_HYPOTHESES`: if set, the best hypothesis of each line is written there, to compare
///   with the peer's `ZOO_MT_HYPOTHESES_PEER`.
public enum TranslationBenchmark {
    public static let defaultModel = "Zoo/bible-en-es"
    public static let defaultSource = "data/bible-en-es/test.en"
    public static let batchSize = 32
    /// Sentences translated once before timing, so first-call costs (page faults, buffers) are not timed.
    public static let warmUpSentences = 8

    public static var beam4: BenchmarkCase {
        let environment = ProcessInfo.processInfo.environment
        let modelPath = environment["ZOO_MT_MODEL"] ?? defaultModel
        let sourcePath = environment["ZOO_MT_SOURCE"] ?? defaultSource
        return BenchmarkCase(name: "translate-beam4",
                             summary: "beam search K=4, α=0.6, batches of \(batchSize), \(modelPath) on \(sourcePath): sentences/s and output tokens/s") {
            let sentences = try readLines(sourcePath)
            let entry: ZooEntry
            do {
                entry = try ZooEntry(directory: URL(fileURLWithPath: modelPath))
            } catch {
                throw BenchmarkInputError(message: "\(error); set ZOO_MT_MODEL to a translation entry or train \(defaultModel) first")
            }
            let translator = try entry.loadTranslator(beamSize: 4, lengthPenalty: 0.6)
            _ = translator.hypotheses(Array(sentences.prefix(warmUpSentences)), batchSize: batchSize)
            var best: [Hypothesis] = []
            let seconds = timeSeconds { best = translator.hypotheses(sentences, batchSize: batchSize) }
            if let path = environment["ZOO_MT_HYPOTHESES"] {
                let text = best.map { translator.tokenizer.decode($0.tokens) + "\n" }.joined()
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            // Output tokens as decoded, EOS included (the |Y| of the length penalty); the peer counts the same.
            let tokens = best.reduce(0) { $0 + $1.tokens.count + 1 }
            return [
                Figure(name: "translate-beam4", value: Double(sentences.count) / seconds, unit: "sentences/s"),
                Figure(name: "translate-beam4-tokens", value: Double(tokens) / seconds, unit: "tokens/s"),
            ]
        }
    }

    /// The file's lines (split at "\n" only, as the peer's `str.split("\n")`; a final newline ends
    /// the last line rather than starting an empty one).
    static func readLines(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw BenchmarkInputError(message: "\(path) is missing; run `make data` first (or set ZOO_MT_SOURCE)")
        }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw BenchmarkInputError(message: "\(path) has no lines") }
        return lines
    }
}
