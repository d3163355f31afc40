import Foundation
import Layers

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
        let augmentation = ImageAugmentation(cropPadding: recipe.data.cropPadding, horizontalFlip: recipe.data.horizontalFlip)
        let task = try ImageClassificationTask(model: model, train: train, validation: validation, augmentation: augmentation,
                                               labelSmoothing: t.labelSmoothing, evaluationBatchSize: max(64, t.batchTokens),
                                               dataGenerator: settings.dataGenerator)
        let trainer = try Trainer(task: task, optimizers: t.makeOptimizers(parameters: model.parameters),
                                  schedule: t.makeSchedule(dModel: e.dModel, totalSteps: settings.steps), settings: settings)
        let summary = try trainer.run(resume: options.resume, stopAfter: options.stopAfter)
        guard summary.steps >= settings.steps else { return RecipeRun.Result(entry: nil, summary: summary, workDirectory: work) }

        // The test split, measured once at the end.
        var metrics = summary.validation
        var confusion: ConfusionMatrix?
        if let testSplit = data.test {
            let test = try PreprocessedImages(testSplit.images, preprocessing: preprocessing, labelMap: testSplit.labelMap,
                                              classNames: data.classNames)
            model.setTraining(false)
            let m = measure(model, on: test, batchSize: task.evaluationBatchSize)
            metrics["test_loss"] = m.loss
            metrics["test_accuracy"] = m.accuracy
            var matrix = ConfusionMatrix(labels: data.classNames)
            for (truth, predicted) in zip(test.labels, m.predictions) { matrix.add(truth: Int(truth), predicted: predicted) }
            confusion = matrix
            note(String(format: "test: accuracy %.4f, loss %.4f on %d images (%@)", m.accuracy, m.loss, test.count, testSplit.description))
        }

        // Export.
        let output = (options.output ?? ZooRegistry.defaultRoot.appendingPathComponent(recipe.exportName)).standardizedFileURL
        let name = output.lastPathComponent
        let entryConfig = ZooEntryConfig(
            name: name, task: .imageClassification, model: config.encoder, tokenizer: .init(kind: "none", files: []),
            metrics: metrics,
            training: .init(recipe: recipe.file.isEmpty ? nil : recipe.file, data: data.description, steps: summary.steps,
                            tokens: summary.tokens, wallSeconds: summary.wallSeconds, parameters: model.parameterCount),
            vision: config, image: preprocessing)
        model.setTraining(false)
        var card = ModelCard(title: name, summary: "A Vision Transformer image classifier (\(ModelCard.count(model.parameterCount)) parameters)"
                             + (recipe.file.isEmpty ? "." : ", trained by `zoo run \(recipe.file)`."))
        card.facts = facts(entryConfig, data: data, trainCount: train.count, validationCount: validation.count,
                           augmentation: augmentation, training: LanguageModelTask.trainingDescription(t, steps: summary.steps)
                               .replacingOccurrences(of: "\(ModelCard.count(t.batchTokens)) tokens", with: "\(t.batchTokens) images"))
        card.recipe = recipe.file.isEmpty ? nil : try? String(contentsOfFile: recipe.file, encoding: .utf8)
        card.usage = (recipe.file.isEmpty ? [] : ["zoo run \(recipe.file)        # retrain"]) + [
            "zoo classify --model \(name) image.pgm --top 3",
            "zoo eval --model \(name) --data \(data.source == "fashion-mnist" ? "fashion-mnist-test" : "DIR")",
        ]
        card.hasLossPlot = FileManager.default.fileExists(atPath: trainer.plotURL.path)
        var markdown = card.markdown
        if let confusion {
            markdown += "\n## Test confusion matrix\n\nRows are true classes, columns predictions.\n\n```\n\(confusion.table)\n```\n"
        }
        let export = ZooExport(config: entryConfig, weights: model.namedTensors.map { ($0.name, $0.tensor) },
                               tokenizerFiles: [], card: markdown, extraFiles: [trainer.logURL, trainer.plotURL])
        let entry = try ZooRegistry.export(export, to: output)
        note("exported \(output.relativePath): " + metrics.keys.sorted().map { "\($0) \(String(format: "%.4f", metrics[$0]!))" }.joined(separator: ", "))
        return RecipeRun.Result(entry: entry, summary: summary, workDirectory: work)
    }

    /// The ViT a recipe describes: pre-norm shared encoder, GELU, learned positions, a class token.
    static func visionConfig(_ recipe: Recipe, preprocessing p: ImagePreprocessing, labels: [String]) throws -> VisionTransformerConfig {
        let m = recipe.model
        guard let patch = m.patchSize else { throw RecipeError(file: recipe.file, key: "model.patch_size", message: "required key is missing") }
        let activation = Activation(rawValue: m.activation ?? "gelu") ?? .gelu
        // Layer-norm ε 1e-6 as timm's ViT (Hugging Face's 1e-12 matters only for imported models).
        let config = VisionTransformerConfig(imageWidth: p.width, imageHeight: p.height, channels: p.channels, patchSize: patch,
                                             dModel: m.dModel, heads: m.heads, ffnDim: m.ffn ?? 4 * m.dModel, layers: m.encoderLayers,
                                             labels: labels, dropout: m.dropout, layerNormEps: 1e-6, activation: activation,
                                             stem: m.stem.map { ConvStemConfig(channels: $0.channels, strides: $0.strides) })
        let input = config.patchInput
        guard input.width % patch == 0 && input.height % patch == 0 && input.width >= patch && input.height >= patch else {
            throw RecipeError(file: recipe.file, key: "model.patch_size",
                              message: "patch_size \(patch) does not divide the \(m.stem == nil ? "image" : "stem's output") of \(input.width)×\(input.height)")
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
            ("wall time", "\(ProgressBar.duration(info.wallSeconds)) on \(ProcessInfo.processInfo.activeProcessorCount) cores "
                + "(\(ModelCard.count(Int(Double(info.tokens) / max(info.wallSeconds, 1e-9)))) images/s overall)"),
        ]
        return rows
    }
}
