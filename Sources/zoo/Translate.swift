import ArgumentParser
import Foundation
import Tasks
import Tensors

/// `zoo translate`: beam-search (or greedy) translation with a zoo translation model.
struct Translate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate sentences with a zoo translation model (beam search).",
        discussion: """
        Beam search as fairseq's, with the length penalty of Wu et al. 2016 \
        (((5 + |Y|) / 6)^α); outputs are at most the source length + 50 tokens. With no TEXT, \
        sentences are read from standard input, one a line, and translated in batches; every \
        line gives one line, a blank line a blank line. A sentence longer than the model's \
        context is refused, before anything is translated, with an error naming its line: \
        split it (nothing is cut silently). Input must be UTF-8: invalid UTF-8 is an error \
        naming "stdin" (or the argument) and the line. Progress goes to stderr every 10 seconds \
        when a run takes longer. With --json, prints one object per line: input (the sentence) \
        and output (its translation).

        Examples:
          zoo translate --model bible-en-es "The house is small."
          zoo translate --model bible-en-es --beam 1 < sentences.en
          zoo translate --model bible-en-es --json < sentences.en | jq -r .output
        """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Option(help: "Beam size K (1 decodes greedily).")
    var beam: Int = 4

    @Option(name: .customLong("length-penalty"), help: "Length penalty α (Wu et al. 2016).")
    var lengthPenalty: Double = 0.6

    @Option(name: .customLong("batch-size"), help: "Sentences decoded together.")
    var batchSize: Int = 32

    @Flag(help: "One JSON object per line (input, output) instead of the translation alone.")
    var json = false

    @Argument(help: "Sentences to translate (default: standard input, one a line).")
    var text: [String] = []

    func validate() throws {
        if beam < 1 { throw ValidationError("--beam must be at least 1, not \(beam)") }
        if !(lengthPenalty >= 0 && lengthPenalty.isFinite) { throw ValidationError("--length-penalty must be a finite number, 0 or more, not \(lengthPenalty)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
    }

    func run() throws {
        let translator = try zoo.resolve(model).loadTranslator(beamSize: beam, lengthPenalty: lengthPenalty)
        var input = TextInput.StandardInput()
        let sentences = text.isEmpty ? try input.readAll() : text
        func place(_ i: Int) -> String { text.isEmpty ? "\(TextInput.standardInputName):\(i + 1)" : "sentence \(i + 1)" }
        for (i, sentence) in sentences.enumerated() where translator.sourceLength(sentence) > translator.context {
            throw CommandError("\(place(i)): \(translator.sourceLength(sentence)) tokens (end-of-text included), longer than "
                               + "the model's context of \(translator.context); split it")
        }
        let progress = ProgressBar(total: sentences.count, style: .lines(every: 0))
        progress.unit = "sent"
        progress.maxSilence = 10
        let start = Date()
        for first in stride(from: 0, to: sentences.count, by: batchSize) {
            let batch = sentences[first..<min(sentences.count, first + batchSize)]
            // A blank line is not translated (a model would make something up): it stays blank.
            let blank = batch.map { $0.allSatisfy(\.isWhitespace) }
            var translations = translator.translate(zip(batch, blank).filter { !$0.1 }.map(\.0), batchSize: batchSize).makeIterator()
            for (sentence, isBlank) in zip(batch, blank) {
                let translation = isBlank ? "" : translations.next()!
                if json { JSONLine(input: sentence, output: translation).print() } else { print(translation) }
            }
            fflush(stdout)
            // Batches go in input order, so the next one's caches may be larger than any pooled
            // buffer; what this one freed would then wait in the pool unused.
            releaseCachedBuffers()
            let done = first + batch.count
            progress.update(step: done, tokensPerSecond: Double(done) / max(Date().timeIntervalSince(start), 1e-9))
        }
    }
}
