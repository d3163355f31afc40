import Foundation
import Tasks

/// Parsing throughput of a trained zoo parser: the CRAFT development trees' words (as EVALB would
/// score them), batches of 32, as a user runs `zoo parse --tokenized` on a file.
///
/// Environment:
/// - `ZOO_PARSER`: the entry's directory (default `Zoo/parse-craft`).
/// - `ZOO_PARSE_TREES`: gold trees whose words are parsed (default `data/craft/dev.txt`).
public enum ParsingBenchmark {
    public static let defaultModel = "Zoo/parse-craft"
    public static let defaultTrees = "data/craft/dev.txt"
    public static let batchSize = 32

    public static var chart: BenchmarkCase {
        let environment = ProcessInfo.processInfo.environment
        let modelPath = environment["ZOO_PARSER"] ?? defaultModel
        let treesPath = environment["ZOO_PARSE_TREES"] ?? defaultTrees
        return BenchmarkCase(name: "parse",
                             summary: "chart parser (CKY), batches of \(batchSize), \(modelPath) on the words of \(treesPath): sentences/s and words/s") {
            let trees: [ParseTree]
            do {
                trees = try Treebank.read(path: treesPath).compactMap(Treebank.normalized)
            } catch {
                throw BenchmarkInputError(message: "\(error); run `make data CRAFT=DIR` first (or set ZOO_PARSE_TREES)")
            }
            let parser: Parser
            do {
                parser = try ZooEntry(directory: URL(fileURLWithPath: modelPath)).loadParser()
            } catch {
                throw BenchmarkInputError(message: "\(error); set ZOO_PARSER to a parsing entry or train \(defaultModel) first")
            }
            let sentences = trees.map(\.words).filter { parser.fits($0) }
            _ = try parser.parse(Array(sentences.prefix(batchSize)), batchSize: batchSize)
            let seconds = try timeSeconds { _ = try parser.parse(sentences, batchSize: batchSize) }
            let words = sentences.reduce(0) { $0 + $1.count }
            return [Figure(name: "parse", value: Double(sentences.count) / seconds, unit: "sentences/s"),
                    Figure(name: "parse-words", value: Double(words) / seconds, unit: "words/s")]
        }
    }
}
