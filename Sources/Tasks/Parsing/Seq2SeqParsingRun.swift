import Data
import Foundation
import Layers
import Models
import ModelZoo
import Recipes
import Tokenization
import Training

// The sequence-to-sequence parser's training: the shared encoder–decoder learns to write each
// tree's bracket sequence from its sentence's pieces, exactly as a translator learns a target
// sentence (`TranslationTask`: batches by length, label smoothing, teacher forcing); constrained
// beam search parses. The tree tokens are a target vocabulary of their own.

enum Seq2SeqParsingRun {
    static func run(_ recipe: Recipe, options: RecipeRun.Options, data: ParsingRun.Treebanks, tokenizer: any TextTokenizer,
                    tokenizerFiles: [URL], note: (String) -> Void) throws -> RecipeRun.Result {
        let tokenizerSection = try recipe.requiredTokenizer()
        let p = recipe.parsing, tags = p.preterminals == .tags
        guard let eos = tokenizer.endOfTextId else {
            throw TrainingError.badData(path: tokenizerSection.path, reason: "the tokenizer has no end-of-text token; the parser's decoder needs one")
        }
        let bos = tokenizer.beginningOfTextId ?? eos

        // Target vocabulary: the tokenizer's special ids keep their places (so beginning and end of
        // sentence are the same id on both sides), then every token of the training trees.
        var targets = (0...Int(max(bos, eos))).map { "<\($0)>" }
        targets[Int(eos)] = "<eos>"
        if bos != eos { targets[Int(bos)] = "<bos>" }
        targets += Set(data.train.flatMap { $0.linearized(tags: tags) }).sorted()
        let ids = Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1, Int32($0)) })

        var config = recipe.model.transformerConfig(vocabSize: tokenizer.vocabularySize)
        config.targetVocabSize = targets.count
        config.shareEmbeddings = false
        let context = config.maxLength
        func examples(_ trees: [ParseTree]) -> (kept: [TranslationTask.Example], dropped: Int) {
            let all = Parallel.map(trees) { tree -> TranslationTask.Example? in
                let target = tree.linearized(tags: tags).map { ids[$0] }
                guard !tree.words.isEmpty, !target.contains(nil) else { return nil }
                return TranslationTask.Example(source: tokenizer.encode(tree.words.joined(separator: " ")), target: target.map { $0! })
            }
            let kept = all.compactMap { $0 }.filter { TranslationTask.width($0) <= context }
            return (kept, all.count - kept.count)
        }
        let (train, longTrain) = examples(data.train), (validation, longValidation) = examples(data.validation)
        note("data: \(train.count) training trees (\(longTrain) longer than the context of \(context) dropped), "
             + "\(train.reduce(0) { $0 + $1.target.count + 1 }) target tokens; \(validation.count) validation trees"
             + (longValidation > 0 ? " (\(longValidation) too long or with unseen tokens dropped)" : "")
             + "; \(targets.count) target tokens")

        let t = recipe.training
        let model = EncoderDecoder(config, seed: t.seed)
        note("model: \(ModelCard.count(model.parameterCount)) parameters (sequence-to-sequence parser, d_model \(config.dModel), "
             + "\(config.heads) heads, \(config.encoderLayers)+\(config.decoderLayers) layers)")
        let task = try TranslationTask(model: model, train: train, validation: validation, bos: bos, eos: eos, labelSmoothing: t.labelSmoothing)
        task.evaluationTokens = max(1, t.batchTokens / t.accumulation)
        let settings = TrainingSettings(recipe: recipe, options: options)
        let trainer = try Trainer(task: task, optimizers: t.makeOptimizers(parameters: model.parameters),
                                  schedule: t.makeSchedule(dModel: config.dModel, totalSteps: settings.steps), settings: settings)
        var summary = try trainer.run(resume: options.resume, stopAfter: options.stopAfter)
        guard summary.steps >= settings.steps, DataParallel.world.isPrimary else { return RecipeRun.Result(entry: nil, summary: summary, workDirectory: settings.directory) }
        let average = try RecipeRun.averageCheckpoints(recipe, trainer: trainer, summary: &summary, note: note)

        let parserConfig = Seq2SeqParserConfig(targets: targets, tags: tags, beam: p.beam, lengthPenalty: p.lengthPenalty,
                                               maxExtraLength: p.maxExtraLength)
        model.setTraining(false)
        let parser = Parser(seq2seq: Seq2SeqParser(model: model, config: parserConfig, tokenizer: tokenizer))
        let modelFact = "sequence-to-sequence parser (Vaswani et al. 2017 §6.3, Vinyals et al. 2015): encoder–decoder d_model \(config.dModel), "
            + "\(config.heads) heads, \(config.encoderLayers)+\(config.decoderLayers) layers, ffn \(config.ffnDim), dropout \(config.dropout); "
            + "\(targets.count) target tokens (preterminals as \(tags ? "tags" : "XX")); constrained beam search, beam \(p.beam), "
            + "α \(p.lengthPenalty); \(ModelCard.count(model.parameterCount)) parameters"
        return try ParsingRun.finish(recipe, options: options, data: data, parser: parser, weights: model, modelConfig: config,
                                     configure: { $0.seq2seqParser = parserConfig },
                                     summaryLine: "A constituency parser (sequence-to-sequence over the Transformer, \(ModelCard.count(model.parameterCount)) parameters)",
                                     modelFact: modelFact, trainCount: train.count, validationCount: validation.count,
                                     tokenizerSection: tokenizerSection, tokenizer: tokenizer, tokenizerFiles: tokenizerFiles,
                                     summary: summary, average: average, trainingFiles: [trainer.logURL, trainer.plotURL], work: settings.directory, note: note)
    }
}
