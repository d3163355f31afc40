import Foundation
import Data
import Layers
import Metrics
import Models
import ModelZoo
import Recipes
import Tensors
import Training

extension TaskName {
    /// Encoder–decoder translation models, trained on parallel text.
    public static let translation: TaskName = "translation"
}

/// The translation family: recipes of `task: translation`, encoder–decoder entries of the zoo.
public struct TranslationFamily: TaskFamily {
    public init() {}
    public var name: TaskName { .translation }
    public var summary: String { "translation with beam search (encoder–decoder)" }
    public var stacks: [Recipe.ModelSection.Stack] { [.encoderDecoder] }
    public var builtInSources: [String: BuiltInSource] {
        ["bible-en-es": BuiltInSource(train: "data/bible-en-es/train", validation: "data/bible-en-es/valid", test: "data/bible-en-es/test",
                                       credit: "the World English Bible (2015) and the Reina-Valera (1909), CrossWire SWORD modules "
                                           + "(Debian's sword-text-web, sword-text-sparv), public domain")]
    }
    public var recipeKeys: [String: [String]] { TranslationOptions.keys }

    public func readRecipe(_ sections: RecipeSections, into recipe: inout Recipe) throws {
        recipe.translation = try TranslationOptions.read(sections, source: recipe.data.source)
    }

    public func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        try TranslationTask.run(recipe, options: options)
    }

    /// BLEU and chrF of the model's translations of `request.source` against `request.references`,
    /// as sacreBLEU prints them.
    public func loadModel(_ entry: ZooEntry) throws -> any Module { try entry.loadTranslator().model }

    public func evaluate(_ entry: ZooEntry, _ request: EvaluationRequest) throws -> Evaluation {
        guard let src = request.source, !request.references.isEmpty else {
            throw EvaluationError("a translation model needs --src FILE and --ref FILE")
        }
        let sources = try ParallelCorpus.readLines(src)
        if sources.isEmpty { throw EvaluationError("\(src): no sentences (the file is empty)") }
        let references = try request.references.map(ParallelCorpus.readLines)
        for (file, lines) in zip(request.references, references) where lines.count != sources.count {
            throw EvaluationError("\(src) has \(sources.count) lines but reference \(file) has \(lines.count); they must have one line per sentence")
        }
        let translator = try entry.loadTranslator(beamSize: request.beam, lengthPenalty: request.lengthPenalty)
        let bar = ProgressBar.pass(total: sources.count, unit: "sent")
        let cut = sources.indices.filter { translator.sourceLength(sources[$0]) > translator.context }
        if let first = cut.first {
            bar.note("note: \(cut.count) source sentence\(cut.count == 1 ? " is" : "s are") longer than the model's context of "
                     + "\(translator.context) tokens (the first is \(src):\(first + 1)); each is translated from its first "
                     + "\(translator.context - 1) tokens, as fairseq's --truncate-source")
        }
        let start = Date()
        var hypotheses: [String] = []
        while hypotheses.count < sources.count {
            let chunk = Array(sources[hypotheses.count..<min(hypotheses.count + request.batchSize, sources.count)])
            hypotheses += translator.translate(chunk, batchSize: request.batchSize)
            // Chunks go in input order, as `zoo translate`'s batches: the next one's caches may
            // outgrow every pooled buffer, so what this one freed goes back to the system.
            releaseCachedBuffers()
            bar.update(step: hypotheses.count, tokensPerSecond: Double(hypotheses.count) / max(Date().timeIntervalSince(start), 1e-9))
        }
        bar.finish()
        if let out = request.hypothesesOut {
            do { try Data(hypotheses.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch {
                throw EvaluationError("cannot write \(out): \(FileProblem.reason(error, path: out))")
            }
        }
        let scores: [any MetricScore] = [try BLEU().corpusScore(hypotheses: hypotheses, references: references),
                                         try ChrF().corpusScore(hypotheses: hypotheses, references: references)]
        return Evaluation(lines: [SacreBLEUReport.render(scores, format: .text, width: 1, short: false, scoreOnly: false)],
                          metrics: ["bleu": scores[0].score, "chrf": scores[1].score, "sentences": Double(sources.count)])
    }
}

extension ZooEntry {
    /// A translation entry's model (weights loaded, in evaluation mode) with its tokenizer.
    public func loadTranslator(beamSize: Int = 4, lengthPenalty: Double = 0.6, seed: UInt64 = 0) throws -> Translator {
        try require(.translation)
        let tokenizer = try loadTokenizer()
        guard tokenizer.vocabularySize <= config.model.vocabSize else {
            throw ZooError.badEntry(path: directory.path, reason: "the tokenizer has \(tokenizer.vocabularySize) tokens, the model \(config.model.vocabSize)")
        }
        let model = makeModel { EncoderDecoder(config.model, seed: seed) }
        try loadWeights(into: model)
        model.setTraining(false)
        return Translator(model: model, tokenizer: tokenizer, beamSize: beamSize, lengthPenalty: lengthPenalty)
    }
}
