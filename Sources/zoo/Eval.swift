import ArgumentParser
import Foundation
import Tasks
import Tensors

/// `zoo eval --model M ...`: a zoo model's metric on held-out data, by the model's task.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a zoo model on held-out data: BLEU and chrF of a translation model, accuracy of an image classifier.",
        discussion: """
            Translation: translates --src (one sentence a line) with beam search and scores the \
            output against --ref as sacreBLEU does, printing its lines (BLEU with its signature, \
            then chrF2). --hyp-out keeps the translations.

            Image classification: --data is a folder with one subfolder of images per class \
            (DIR/<label>/*.ppm|*.pgm; folder names are matched to the model's labels, with "/" \
            written as "-"), or fashion-mnist-test for Fashion-MNIST's 10,000 test images. Prints \
            the accuracy and the confusion matrix (rows are true labels, columns predictions).

            Language model: --data is a UTF-8 text file, one document a line; prints the mean loss \
            per token and the perplexity, as the model's card reports them.

            Examples:
              zoo eval --model bible-en-es --src data/bible-en-es/test.en --ref data/bible-en-es/test.es
              zoo eval --model gpt-kjv --data data/kjv/test.txt
              zoo eval --model vit-fashion-mnist --data fashion-mnist-test
              zoo eval --model Zoo/vit-fashion-mnist --data /tmp/fm
            """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @Option(help: "Image classification: a folder of class folders, or fashion-mnist-test. Language model: a text file.")
    var data: String?

    @Option(help: "Translation: the source sentences, one a line.")
    var src: String?

    @Option(help: "Translation: the reference translations, one a line (repeat for several references).")
    var ref: [String] = []

    @Option(help: "Translation: beam size K (1 decodes greedily).")
    var beam = 4

    @Option(name: .customLong("length-penalty"), help: "Translation: length penalty α (Wu et al. 2016).")
    var lengthPenalty = 0.6

    @Option(name: .customLong("hyp-out"), help: "Translation: write the translations to this file.")
    var hypOut: String?

    @Option(help: "Images (or sentences) per forward pass.")
    var batchSize = 64

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if beam < 1 { throw ValidationError("--beam must be at least 1") }
        if lengthPenalty < 0 { throw ValidationError("--length-penalty must not be negative") }
    }

    func run() throws {
        let entry = try ZooRegistry().resolve(model)
        switch entry.config.task {
        case .imageClassification:
            try evaluateImages(entry)
        case .translation:
            try evaluateTranslation(entry)
        case .languageModel:
            try evaluateLanguageModel(entry)
        case .parsing:
            throw ValidationError("zoo eval does not handle \(entry.config.task.rawValue) models yet (model '\(entry.name)')")
        }
    }

    /// Accuracy and confusion matrix of an image classifier on `--data`.
    func evaluateImages(_ entry: ZooEntry) throws {
        guard let data else { throw ValidationError("an image-classification model needs --data DIR (or --data fashion-mnist-test)") }
        var classifier = try entry.loadImageClassifier()
        classifier.batchSize = batchSize
        let matrix: ConfusionMatrix
        if data == "fashion-mnist-test" {
            matrix = try classifier.evaluate(FashionMNIST.load(.test))
        } else {
            let folder = try ImageFolder(path: data)
            matrix = try classifier.evaluate(folder, labelMap: folder.labelMap(to: classifier.labels))
        }
        print(String(format: "accuracy %.4f (%d of %d images)", matrix.accuracy, matrix.correct, matrix.total))
        print()
        print(matrix.table)
    }

    /// BLEU and chrF of the model's translations of `--src` against `--ref`, as sacreBLEU prints them.
    func evaluateTranslation(_ entry: ZooEntry) throws {
        guard let src, !ref.isEmpty else { throw ValidationError("a translation model needs --src FILE and --ref FILE") }
        let sources = try ParallelCorpus.readLines(src)
        if sources.isEmpty { throw CommandError("\(src): no sentences (the file is empty)") }
        let references = try ref.map(ParallelCorpus.readLines)
        for (file, lines) in zip(ref, references) where lines.count != sources.count {
            throw CommandError("\(src) has \(sources.count) lines but reference \(file) has \(lines.count); they must have one line per sentence")
        }
        let translator = try entry.loadTranslator(beamSize: beam, lengthPenalty: lengthPenalty)
        let bar = ProgressBar(total: sources.count, style: .automatic(every: max(1, sources.count / 10)))
        bar.unit = "sent"
        let start = Date()
        var hypotheses: [String] = []
        var done = 0
        while done < sources.count {
            let chunk = Array(sources[done..<min(done + batchSize, sources.count)])
            hypotheses += translator.translate(chunk, batchSize: batchSize)
            done += chunk.count
            bar.update(step: done, tokensPerSecond: Double(done) / max(Date().timeIntervalSince(start), 1e-9))
        }
        bar.finish()
        if let hypOut {
            do { try Data(hypotheses.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: hypOut), options: .atomic) } catch {
                throw CommandError("cannot write \(hypOut): \(error.localizedDescription)")
            }
        }
        let scores: [any MetricScore] = [try BLEU().corpusScore(hypotheses: hypotheses, references: references),
                                         try ChrF().corpusScore(hypotheses: hypotheses, references: references)]
        print(SacreBLEUReport.render(scores, format: .text, width: 1, short: false, scoreOnly: false))
    }

    /// Mean loss per token and perplexity of a language model on the text of `--data`.
    func evaluateLanguageModel(_ entry: ZooEntry) throws {
        guard let data else { throw ValidationError("a language model needs --data FILE (UTF-8 text, one document a line)") }
        guard let bytes = FileManager.default.contents(atPath: data) else { throw CommandError("\(data): no such file or not readable") }
        guard let text = String(data: bytes, encoding: .utf8) else { throw CommandError("\(data): not UTF-8 text") }
        let (model, tokenizer) = try entry.loadLanguageModel()
        let tokens = LanguageModelTask.tokens(of: LanguageModelTask.documents(in: text, unit: .line), tokenizer: tokenizer)
        guard tokens.count >= 2 else { throw CommandError("\(data): too little text (\(tokens.count) token(s))") }
        let task = try LanguageModelTask(model: model, trainTokens: tokens, validationTokens: tokens, evaluationRows: batchSize)
        let metrics = withoutGradients { task.evaluate(batches: 0) }
        print(String(format: "loss %.4f nats/token, perplexity %.2f", metrics["loss"]!, metrics["ppl"]!) + " (\(tokens.count) tokens of \(data))")
    }
}
