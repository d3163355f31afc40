import Foundation
import Tokenization

/// SentencePiece training and encoding on the KJV training split (`make data`), the figures
/// `Benchmarks/peers/spm_peers.py` measures for pip's sentencepiece on the same text and options:
/// unigram, 8000 pieces, nmt_nfkc, character coverage 0.9995, 2 threads.
public enum TokenizerBenchmark {
    public static let corpus = "data/kjv/train.txt"

    public static var benchmark: BenchmarkCase {
        BenchmarkCase(name: "tokenizer-encode", summary: "SentencePiece unigram 8k: training seconds and encoding MB/s on \(corpus)") {
            guard let text = try? String(contentsOfFile: corpus, encoding: .utf8) else {
                throw BenchmarkInputError(message: "\(corpus) is missing; run `make data` first")
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var options = TrainerOptions(vocabSize: 8000, modelType: .unigram)
            options.numThreads = 2
            let trainSeconds = timeSeconds { _ = try? SentencePieceTrainer.train(sentences: lines, options: options) }
            let model = try SentencePieceTrainer.train(sentences: lines, options: options)
            let tokenizer = try SentencePieceTokenizer(model: model)
            let bytes = Double(text.utf8.count)
            var perLine: [Double] = []
            var tokens = 0
            for _ in 0..<5 {
                perLine.append(timeSeconds { tokens = lines.reduce(0) { $0 + tokenizer.encode($1).count } })
            }
            return [
                Figure(name: "tokenizer-train-unigram-8k", value: trainSeconds, unit: "s"),
                Figure(name: "tokenizer-encode", value: bytes / median(perLine) / 1e6, unit: "MB/s"),
                Figure(name: "tokenizer-encode-tokens", value: Double(tokens), unit: "tokens"),
            ]
        }
    }
}

/// A benchmark whose input is missing.
public struct BenchmarkInputError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
