import ArgumentParser
import Foundation
import Tasks

/// `zoo eval --model M ...`: a zoo model's metric on held-out data, by the model's task.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a zoo model on held-out data: BLEU and chrF of a translator, accuracy of an image classifier, EVALB of a parser.",
        discussion: """
            Translation: translates --src (one sentence a line) with beam search and scores the \
            output against --ref as sacreBLEU does, printing its lines (BLEU with its signature, \
            then chrF2). --hyp-out keeps the translations. A source sentence longer than the \
            model's context is translated from its first tokens, as fairseq's --truncate-source, \
            and a note on stderr says how many were.

            Image classification: --data is a folder with one subfolder of images per class \
            (DIR/<label>/*.ppm|*.pgm; folder names are matched to the model's labels, with "/" \
            written as "-"), or fashion-mnist-test for Fashion-MNIST's 10,000 test images. Prints \
            the accuracy and the confusion matrix (rows are true labels, columns predictions).

            Language model: --data is a UTF-8 text file, one document a line; prints the mean loss \
            per token and the perplexity, as the model's card reports them.

            Parsing: --data is a file of gold trees in Penn Treebank brackets; the parser parses \
            their words and EVALB (COLLINS.prm) scores the result; prints EVALB's summary.

            With --json, prints one object: input (--data, or --src for translation) and metrics \
            (by name: accuracy, loss and ppl, bleu and chrf, precision, recall and f1, with counts).

            --check SPLIT compares the figures with those the model's card reports for that split \
            (test, val or dev: the card's test_bleu, val_ppl, ...) and fails unless they agree to the \
            card's rounding: given the split the card was measured on, a shipped model must \
            reproduce its card (`make check-zoo` checks every shipped model so).

            Text files must be UTF-8: invalid UTF-8 is an error naming the file and the line. \
            Progress goes to stderr: a bar on a terminal, otherwise a line every tenth of the data \
            and at least every 10 seconds.

            Examples:
              zoo eval --model bible-en-es --src data/bible-en-es/test.en \\
                --ref data/bible-en-es/test.es
              zoo eval --model gpt-kjv --data data/kjv/test.txt
              zoo eval --model vit-fashion-mnist --data fashion-mnist-test
              zoo eval --model Zoo/vit-fashion-mnist --data /tmp/fm
              zoo eval --model parse-craft --data data/craft/test.txt
              zoo eval --model gpt-kjv --data data/kjv/test.txt --json | jq .metrics.ppl
              zoo eval --model gpt-kjv --data data/kjv/valid.txt --check val
            """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @OptionGroup var heldOut: HeldOutOptions

    @Option(name: .customLong("hyp-out"), help: "Translation: write the translations to this file.")
    var hypOut: String?

    @Flag(help: "One JSON object (input, metrics) instead of the report.")
    var json = false

    @Option(help: "Fail unless the figures agree with the card's for this split (test, val, dev), to its rounding.")
    var check: String?

    func validate() throws {
        if let check, !["test", "val", "dev"].contains(check) {
            throw ValidationError("--check takes the split the card reports: test, val or dev, not '\(check)'")
        }
    }

    func run() throws {
        let entry = try zoo.resolve(model)
        var request = heldOut.request
        request.hypothesesOut = hypOut
        let evaluation = try TaskCatalog.family(of: entry).evaluate(entry, request)
        if json {
            JSONLine(input: heldOut.input, metrics: JSONLine.metrics(evaluation.metrics)).print()
        } else {
            for line in evaluation.lines { print(line) }
        }
        if let check {
            let result = CardCheck(evaluation, card: entry.config.metrics, split: check)
            guard !result.rows.isEmpty else {
                throw EvaluationError("\(entry.directory.relativePath): its card reports no \(check)_ figure that this evaluation measures "
                                      + "(card: \(entry.config.metrics.keys.sorted().joined(separator: ", ")))")
            }
            guard result.agrees else {
                throw EvaluationError("\(entry.directory.relativePath) does not reproduce its card: \(result.summary)")
            }
            if !json { print("reproduces its card: \(result.summary)") }
        }
    }
}
