import Foundation
import Data
import Layers
import Metrics
import Models
import ModelZoo
import Recipes
import Training

// The image-classification recipe end to end: read and preprocess the images (cached in memory),
// build the ViT, train, measure the test split, export to the zoo with a card.

extension ImageClassificationTask {
    /// Runs an `image-classification` recipe; see `RecipeRun.run`.
    static func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        let note = RecipeRun.noteFunction(options.progress)
        let data = try ImageClassificationData(recipe: recipe)
        let preprocessing = try data.preprocessing(recipe: recipe)
        let start = Date()
        let train = try PreprocessedImages(data.train.images, preprocessing: preprocessing, indices: data.train.indices,
                                           labelMap: data.train.labelMap, classNames: data.classNames)
        let validation = try PreprocessedImages(data.validation.images, preprocessing: preprocessing, indices: data.validation.indices,
                                                labelMap: data.validation.labelMap, classNames: data.classNames)
        note("data: \(train.count) training images, \(validation.count) validation images (\(data.validationDescription)), "
             + "\(data.classNames.count) classes, preprocessed to \(preprocessing.channels)×\(preprocessing.height)×\(preprocessing.width) "
             + "in \(ProgressBar.duration(Date().timeIntervalSince(start)))")

        // Model and trainer.
        let t = recipe.training
        let config = try visionConfig(recipe, preprocessing: preprocessing, labels: data.classNames)
        let model = VisionTransformer(config, seed: t.seed)
        let e = config.encoder
        note("model: \(ModelCard.count(model.parameterCount)) parameters (ViT, \(config.patchCount) patches of \(config.patchSize)², "
             + "d_model \(e.dModel), \(e.heads) heads, \(e.encoderLayers) layers)")
        var settings = TrainingSettings(recipe: recipe, options: options)
        let work = settings.directory
        settings.rateUnit = "img"
        let augmentation = ImageAugmentation(cropPadding: recipe.images.cropPadding, horizontalFlip: recipe.images.horizontalFlip)
        let task = try ImageClassificationTask(model: model, train: train, validation: validation, augmentation: augmentation,
                                               labelSmoothing: t.labelSmoothing, evaluationBatchSize: max(64, t.batchTokens),
                                               dataGenerator: settings.dataGenerator)
        let trainer = try Trainer(task: task, optimizers: t.makeOptimizers(parameters: model.parameters),
                                  schedule: t.makeSchedule(dModel: e.dModel, totalSteps: settings.steps), settings: settings)
        var summary = try trainer.run(resume: options.resume, stopAfter: options.stopAfter)
        guard summary.steps >= settings.steps, DataParallel.world.isPrimary else { return RecipeRun.Result(entry: nil, summary: summary, workDirectory: work) }
        let average = try RecipeRun.averageCheckpoints(recipe, trainer: trainer, summary: &summary, note: note)

        // The test split, measured once at the end.
        var metrics = summary.validation
        var confusion: ConfusionMatrix?
        if let testSplit = data.test {
            let test = try PreprocessedImages(testSplit.images, preprocessing: preprocessing, labelMap: testSplit.labelMap,
                                              classNames: data.classNames)
            let m = model.evaluating { measure(model, on: test, batchSize: task.evaluationBatchSize) }
            metrics["test_loss"] = m.loss
            metrics["test_accuracy"] = m.accuracy
            var matrix = ConfusionMatrix(labels: data.classNames)
            for (truth, predicted) in zip(test.labels, m.predictions) { matrix.add(truth: Int(truth), predicted: predicted) }
            confusion = matrix
            note(String(format: "test: accuracy %.4f, loss %.4f on %d images (%@)", m.accuracy, m.loss, test.count, testSplit.description))
        }

        // Export.
        let export = RunExport(recipe: recipe, options: options)
        let entryConfig = ZooEntryConfig(
            name: export.name, task: .imageClassification, model: config.encoder, tokenizer: .init(kind: "none", files: []),
            metrics: metrics, training: export.trainingInfo(data: data.description, summary: summary, parameters: model.parameterCount),
            vision: config, image: preprocessing)
        var card = ModelCard(title: export.name, summary: "A Vision Transformer image classifier (\(ModelCard.count(model.parameterCount)) parameters)"
                             + export.trainedBy)
        card.facts = facts(entryConfig, data: data, trainCount: train.count, validationCount: validation.count,
                           augmentation: augmentation, training: RecipeRun.trainingDescription(t, steps: summary.steps, unit: "images"))
        let usage = ["zoo classify --model \(export.name) image.pgm --top 3",
                     "zoo eval --model \(export.name) --data \(data.source == "fashion-mnist" ? "fashion-mnist-test" : "DIR")"]
        let appendix = confusion.map {
            "\n## Test confusion matrix\n\nRows are true classes, columns predictions.\n\n```\n\($0.table)\n```\n"
        } ?? ""
        return try export.write(config: entryConfig, model: model, tokenizerFiles: [], card: card, usage: usage, appendix: appendix,
                                trainingFiles: [trainer.logURL, trainer.plotURL], summary: summary, average: average, workDirectory: work, note: note)
    }

    /// The ViT a recipe describes: pre-norm shared encoder, GELU, learned positions, a class token.
    static func visionConfig(_ recipe: Recipe, preprocessing p: ImagePreprocessing, labels: [String]) throws -> VisionTransformerConfig {
        let m = recipe.model, o = recipe.images
        let patch = o.patchSize
        guard patch > 0 else { throw RecipeError(file: recipe.file, key: "model.patch_size", message: "required key is missing") }
        let activation = Activation(rawValue: m.activation ?? "gelu") ?? .gelu
        // Layer-norm ε 1e-6 as timm's ViT (Hugging Face's 1e-12 matters only for imported models).
        let config = VisionTransformerConfig(imageWidth: p.width, imageHeight: p.height, channels: p.channels, patchSize: patch,
                                             dModel: m.dModel, heads: m.heads, ffnDim: m.ffn ?? 4 * m.dModel, layers: m.encoderLayers,
                                             labels: labels, dropout: m.dropout, layerNormEps: 1e-6, activation: activation,
                                             stem: o.stem.map { ConvStemConfig(channels: $0.channels, strides: $0.strides) })
        let input = config.patchInput
        guard input.width % patch == 0 && input.height % patch == 0 && input.width >= patch && input.height >= patch else {
            throw RecipeError(file: recipe.file, key: "model.patch_size",
                              message: "patch_size \(patch) does not divide the \(o.stem == nil ? "image" : "stem's output") of \(input.width)×\(input.height)")
        }
        return config
    }

    static func facts(_ config: ZooEntryConfig, data: ImageClassificationData, trainCount: Int, validationCount: Int,
                      augmentation: ImageAugmentation, training: String) -> [(String, String)] {
        let v = config.vision!, e = v.encoder, p = config.image!, info = config.training
        func percent(_ key: String) -> String? { config.metrics[key].map { String(format: "%.2f%%", 100 * $0) } }
        var rows: [(String, String)] = [
            ("task", config.task.rawValue),
            ("data", "\(info.data): \(ImageClassificationData.thousands(trainCount)) training images, \(data.classNames.count) classes"),
            ("validation", "\(data.validationDescription) (\(ImageClassificationData.thousands(validationCount)) images)"),
        ]
        if let test = percent("test_accuracy"), let split = data.test {
            rows.append(("test accuracy", "\(test) on \(split.description)"))
        }
        if let val = percent("val_accuracy") { rows.append(("validation accuracy", val)) }
        rows += [
            ("preprocessing", "\(p.channels) channel(s), \(p.width)×\(p.height), mean \(p.mean), std \(p.std)"),
            ("augmentation", augmentation.isIdentity ? "none" : [augmentation.cropPadding > 0 ? "random crop with padding \(augmentation.cropPadding)" : nil,
                                                               augmentation.horizontalFlip ? "random horizontal flip" : nil].compactMap { $0 }.joined(separator: ", ")),
            ("model", "ViT: \(v.patchCount) patches of \(v.patchSize)×\(v.patchSize)"
                + (v.stem.map { ", conv stem \($0.channels) strides \($0.strides)" } ?? "")
                + ", class token, learned positions, pre-norm encoder d_model \(e.dModel), \(e.heads) heads, \(e.encoderLayers) layers, "
                + "ffn \(e.ffnDim), \(e.activation.rawValue), dropout \(e.dropout); \(ModelCard.count(info.parameters)) parameters"),
            ("training", training),
            ("images seen", ModelCard.count(info.tokens)),
            ("wall time", RecipeRun.wallTime(info, unit: "images")),
        ]
        return rows
    }
}
