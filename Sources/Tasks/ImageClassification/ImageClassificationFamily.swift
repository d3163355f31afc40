import Foundation
import Data
import Layers
import Metrics
import Models
import ModelZoo
import Recipes
import Training

extension TaskName {
    /// Vision Transformer image classifiers, trained on labelled images.
    public static let imageClassification: TaskName = "image-classification"
}

/// The image-classification family: recipes of `task: image-classification`, ViT entries of the zoo.
public struct ImageClassificationFamily: TaskFamily {
    public init() {}
    public var name: TaskName { .imageClassification }
    public var summary: String { "image classification (Vision Transformer)" }
    public var stacks: [Recipe.ModelSection.Stack] { [.encoder] }
    public var needsTokenizer: Bool { false }
    public var countsExamples: Bool { true }
    public var builtInSources: [String: BuiltInSource] { ["fashion-mnist": BuiltInSource(credit: "Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, Zalando Research; Debian's dataset-fashion-mnist), MIT licence")] }
    public var recipeKeys: [String: [String]] { ImageClassificationOptions.keys }

    public func readRecipe(_ sections: RecipeSections, into recipe: inout Recipe) throws {
        recipe.images = try ImageClassificationOptions.read(sections)
        recipe.training.batchTokens = recipe.images.batchSize
    }

    public func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        try ImageClassificationTask.run(recipe, options: options)
    }

    /// Accuracy and confusion matrix on `request.data`: a folder of class folders, or
    /// fashion-mnist-test.
    public func loadModel(_ entry: ZooEntry) throws -> any Module { try entry.loadImageClassifier().model }

    public func evaluate(_ entry: ZooEntry, _ request: EvaluationRequest) throws -> Evaluation {
        guard let data = request.data else {
            throw EvaluationError("an image-classification model needs --data DIR (or --data fashion-mnist-test)")
        }
        var classifier = try entry.loadImageClassifier()
        classifier.batchSize = request.batchSize
        let matrix: ConfusionMatrix
        let start = Date()
        var bar: ProgressBar?
        func progress(_ done: Int, _ all: Int) {
            if bar == nil { bar = .pass(total: all, unit: "img") }
            bar?.update(step: done, tokensPerSecond: Double(done) / max(Date().timeIntervalSince(start), 1e-9))
        }
        if data == "fashion-mnist-test" {
            matrix = try classifier.evaluate(FashionMNIST.load(.test), progress: progress)
        } else {
            let folder = try ImageFolder(path: data)
            matrix = try classifier.evaluate(folder, labelMap: folder.labelMap(to: classifier.labels), progress: progress)
        }
        bar?.finish()
        return Evaluation(lines: [String(format: "accuracy %.4f (%d of %d images)", matrix.accuracy, matrix.correct, matrix.total), "", matrix.table],
                          metrics: ["accuracy": matrix.accuracy, "correct": Double(matrix.correct), "images": Double(matrix.total)])
    }
}

extension ZooEntry {
    /// An image-classification entry's model (weights loaded, evaluation mode) and preprocessing.
    public func loadImageClassifier() throws -> ImageClassifier {
        try require(.imageClassification)
        let configPath = directory.appendingPathComponent(Self.configFile).path
        guard let vision = config.vision else { throw ZooError.badEntry(path: configPath, reason: "missing key 'vision'") }
        guard let preprocessing = config.image else { throw ZooError.badEntry(path: configPath, reason: "missing key 'image'") }
        let model = makeModel { VisionTransformer(vision) }
        try loadWeights(into: model)
        model.setTraining(false)
        return ImageClassifier(model: model, preprocessing: preprocessing)
    }
}
