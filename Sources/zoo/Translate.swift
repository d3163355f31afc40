import ArgumentParser
import Foundation
import Tasks

/// `zoo translate`: beam-search (or greedy) translation with a zoo translation model.
struct Translate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate sentences with a zoo translation model (beam search).",
        discussion: """
        Beam search as fairseq's, with the length penalty of Wu et al. 2016 \
        (((5 + |Y|) / 6)^α); outputs are at most the source length + 50 tokens. With no TEXT, \
        sentences are read from standard input, one a line, and translated in batches.

        Examples:
          zoo translate --model bible-en-es "The house is small."
          zoo translate --model bible-en-es --beam 1 < sentences.en
        """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @Option(help: "Beam size K (1 decodes greedily).")
    var beam: Int = 4

    @Option(name: .customLong("length-penalty"), help: "Length penalty α (Wu et al. 2016).")
    var lengthPenalty: Double = 0.6

    @Option(name: .customLong("batch-size"), help: "Sentences decoded together.")
    var batchSize: Int = 32

    @Argument(help: "Sentences to translate (default: standard input, one a line).")
    var text: [String] = []

    func validate() throws {
        if beam < 1 { throw ValidationError("--beam must be at least 1") }
        if lengthPenalty < 0 { throw ValidationError("--length-penalty must not be negative") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() throws {
        let translator = try ZooRegistry().resolve(model).loadTranslator(beamSize: beam, lengthPenalty: lengthPenalty)
        if !text.isEmpty {
            for line in translator.translate(text, batchSize: batchSize) { print(line) }
            return
        }
        var batch: [String] = []
        func flush() {
            for line in translator.translate(batch, batchSize: batchSize) { print(line) }
            fflush(stdout)
            batch.removeAll()
        }
        while let line = readLine() {
            batch.append(line)
            if batch.count == batchSize { flush() }
        }
        flush()
    }
}
