import ArgumentParser
import Foundation
import Tasks
import Tensors

/// `zoo demo`: what `make demo` runs: the core on a task it must learn, then the shipped zoo.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a tiny encoder–decoder to reverse digits, then run the shipped zoo models: generate, translate, classify.",
        discussion: "Example:\n  zoo demo"
    )

    @Option(help: "Training steps of the digit-reversal model.")
    var steps = 600

    func run() throws {
        print("OpenBLAS kernels: \(blasCoreName)")
        print("\n1. A tiny encoder–decoder (2+2 layers, d=64) learns to reverse 8-digit sequences")
        fflush(stdout)  // before the progress lines on stderr
        let task = ReverseDigits()
        let bar = ProgressBar(total: steps, style: .automatic(every: 100))
        let start = Date()
        let tokensPerStep = Double(task.batchSize * (task.length + 1))
        let model = task.train(steps: steps) { step, loss in
            let seconds = Date().timeIntervalSince(start)
            bar.update(step: step, loss: Double(loss), tokensPerSecond: tokensPerStep * Double(step) / max(seconds, 1e-9),
                       learningRate: Double(task.learningRate))
        }
        bar.finish()
        let accuracy = task.accuracy(model)
        print(String(format: "   trained in %.1f s; greedy token accuracy on unseen sequences: %.2f%%",
                     Date().timeIntervalSince(start), accuracy * 100))
        var g = RandomGenerator(seed: 99)
        let (src, _, _) = ReverseDigits(batchSize: 3).batch(&g)
        let out = ReverseDigits(batchSize: 3).greedy(model, source: src, count: 3)
        for i in 0..<3 {
            let digits = { (ids: ArraySlice<Int32>) in ids.map { String($0 - 3) }.joined() }
            print("   \(digits(src[(i * task.length)..<((i + 1) * task.length)])) → \(digits(out[i][...]))")
        }

        let registry = ZooSearchPath.standard(zoo: nil, executable: ZooOption.executable)
        let entries = ((try? registry.entries()) ?? []).map(\.entry)
        print("\n2. The zoo (\(entries.count) model\(entries.count == 1 ? "" : "s"); `zoo list` for details)")
        for e in entries { print("   \(e.name)\t\(e.task.rawValue)\t" + e.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")) }
        var section = 3
        for e in entries where e.task == .languageModel {
            let entry = try registry.resolve(e.name)
            let (lm, tokenizer) = try entry.loadLanguageModel()
            let prompt = "In the beginning"
            print("\n\(section). \(e.name) continues \"\(prompt)\" (top-p 0.9, seed 1):\n   \(prompt)", terminator: "")
            section += 1
            let generator = TextGenerator(model: lm, tokenizer: tokenizer)
            generator.generate([prompt], options: .init(maxTokens: 60, sampling: SamplingOptions(temperature: 0.8, topP: 0.9), seed: 1)) { _, piece in
                print(piece, terminator: "")
                fflush(stdout)
            }
            print()
        }
        for e in entries where e.task == .translation {
            let entry = try registry.resolve(e.name)
            let translator = try entry.loadTranslator(beamSize: 4, lengthPenalty: 0.6)
            let sentences = Self.sentences[entry.config.languages?.first ?? "en"] ?? Self.sentences["en"]!
            let start = Date()
            let outputs = translator.translate(sentences)
            print("\n\(section). \(e.name) translates (beam 4, \(String(format: "%.1f", Date().timeIntervalSince(start))) s):")
            for (s, t) in zip(sentences, outputs) { print("   \(s)\n   → \(t)") }
            section += 1
        }
        for e in entries where e.task == .imageClassification {
            try classifyTestImages(try registry.resolve(e.name), section: section)
            section += 1
        }
        for e in entries where e.task == .parsing {
            let parser = try registry.resolve(e.name).loadParser()
            let start = Date()
            let trees = try parser.parse(Self.parsingSentences.map(PTBTokenizer().tokenize))
            print("\n\(section). \(e.name) parses (\(parser.kindDescription), \(String(format: "%.1f", Date().timeIntervalSince(start))) s; "
                  + "`zoo parse --model \(e.name) TEXT`):")
            for (s, t) in zip(Self.parsingSentences, trees) { print("   \(s)\n   → \(t.bracketed)") }
            section += 1
        }
    }

    /// Sentences for the parsing demo: biomedical prose like the treebank's, not from it.
    static let parsingSentences = ["The striatum plays a pivotal role in motor activity.",
                                   "We analyzed the volume of the brain in two strains of mice."]

    /// Exports the first Fashion-MNIST test images as PGM files and classifies them, as
    /// `zoo classify` would.
    func classifyTestImages(_ entry: ZooEntry, section: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-demo-fashion-mnist")
        try? FileManager.default.removeItem(at: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FashionMNIST.export(.test, to: directory.path, limit: 8)
        let folder = try ImageFolder(path: directory.path)
        let classifier = try entry.loadImageClassifier()
        let images = try folder.readAll()
        let top = classifier.top(1, of: images)
        let labelMap = try folder.labelMap(to: classifier.labels)
        print("\n\(section). \(entry.name) classifies the first \(images.count) Fashion-MNIST test images "
              + "(exported as PGM; `zoo classify --model \(entry.name) IMAGE...`):")
        for i in 0..<images.count {
            let truth = classifier.labels[labelMap[folder.label(at: i)]]
            let guess = top[i][0]
            print("   \(URL(fileURLWithPath: folder.files[i]).lastPathComponent)\t\(guess.label)\t"
                  + String(format: "%.4f", guess.probability) + "\t(true: \(truth))\(guess.label == truth ? "" : "  ✗")")
        }
    }

    /// Sentences for the translation demo, by source language: two verses of the training books
    /// and one sentence of our own.
    static let sentences = [
        "en": ["In the beginning God created the heavens and the earth.",
               "The Lord is my shepherd; I shall not want.",
               "And the king said to his servants, Go and bring bread and water."],
        "es": ["En el principio crió Dios los cielos y la tierra.",
               "Jehová es mi pastor; nada me faltará.",
               "Y dijo el rey a sus siervos: Id y traed pan y agua."],
    ]
}
