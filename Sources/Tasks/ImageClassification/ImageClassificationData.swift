import Foundation
import Data
import Layers
import Models
import Recipes
import Tensors
import Training

/// The images an image-classification recipe names: the built-in Fashion-MNIST (training = the
/// first 55,000 of its 60,000 training images, validation = the last 5,000, test = its 10,000
/// test images) or image folders (`train/<label>/*.ppm`; without a validation folder a seeded
/// random `validation_split` of the training images is held out).
struct ImageClassificationData {
    /// Some items of a labelled set, with its labels mapped to the training classes.
    struct Split {
        var images: any LabeledImages
        /// The items used (nil: all).
        var indices: [Int]?
        /// Folder label → training-class label (nil: the same).
        var labelMap: [Int]?
        /// In words, for the card ("the 10,000 Fashion-MNIST test images").
        var description: String
    }

    var source: String?
    var classNames: [String]
    var train: Split
    var validation: Split
    var test: Split?
    /// The first training image's channels and size (the model's defaults).
    var channels: Int
    var width: Int
    var height: Int

    var validationDescription: String { validation.description }
    /// What the model was trained on, for the entry's `training.data`.
    var description: String { source.map { "the built-in '\($0)' data set" } ?? train.description }

    static let fashionMNISTValidation = 5000

    init(recipe: Recipe) throws {
        let d = recipe.data
        if d.source == "fashion-mnist" {
            let all = try FashionMNIST.load(.train)
            // The last 5,000 of the 60,000 (or a twelfth of a smaller copy) are held out.
            let held = min(Self.fashionMNISTValidation, max(1, all.count / 12))
            let count = all.count - held
            source = "fashion-mnist"
            classNames = all.classNames
            train = Split(images: all, indices: Array(0..<count), description: "the first \(Self.thousands(count)) Fashion-MNIST training images")
            validation = Split(images: all, indices: Array(count..<all.count), description: "the last \(Self.thousands(held)) Fashion-MNIST training images")
            let testSet = try FashionMNIST.load(.test)
            test = Split(images: testSet, description: "the \(Self.thousands(testSet.count)) Fashion-MNIST test images")
            (channels, width, height) = (1, all.width, all.height)
            return
        }
        guard let trainPath = d.train else { throw RecipeError(file: recipe.file, key: "data.train", message: "required key is missing") }
        let folder = try ImageFolder(path: trainPath)
        source = nil
        classNames = folder.classNames
        if let path = d.validation {
            let v = try ImageFolder(path: path)
            train = Split(images: folder, description: trainPath)
            validation = Split(images: v, labelMap: try v.labelMap(to: folder.classNames), description: path)
        } else {
            // A seeded shuffle, so the held-out images come from every class.
            var g = RandomGenerator(seed: recipe.training.seed ^ 0x5EED_0F_5A11)
            var order = Array(0..<folder.count)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(g.next() % UInt64(i + 1))) }
            let held = max(1, Int((Double(folder.count) * d.validationSplit).rounded()))
            guard folder.count > held else {
                throw TrainingError.badData(path: trainPath, reason: "\(folder.count) image(s) are too few to hold out \(held) for validation")
            }
            train = Split(images: folder, indices: Array(order[held...]).sorted(), description: trainPath)
            validation = Split(images: folder, indices: Array(order[..<held]).sorted(),
                               description: "\(held) random images held out of \(trainPath)")
        }
        if let path = d.test {
            let t = try ImageFolder(path: path)
            test = Split(images: t, labelMap: try t.labelMap(to: folder.classNames), description: "the \(Self.thousands(t.count)) images of \(path)")
        }
        let first = try folder.image(at: 0)
        (channels, width, height) = (first.channels, first.width, first.height)
    }

    /// What is done to every image: the recipe's channels and size (default the first training
    /// image's), and its mean and std (default the built-in set's, else 0.5 as Hugging Face's ViT).
    func preprocessing(recipe: Recipe) throws -> ImagePreprocessing {
        let o = recipe.images
        let c = o.channels ?? channels
        let builtIn = source.flatMap { ImageClassificationOptions.builtInNormalization[$0] }
        let mean = o.mean ?? builtIn?.mean ?? [0.5], std = o.std ?? builtIn?.std ?? [0.5]
        for (key, values) in [("data.mean", mean), ("data.std", std)] where values.count != 1 && values.count != c {
            throw RecipeError(file: recipe.file, key: key, message: "\(values.count) values for \(c) channel(s) (give 1 or \(c))")
        }
        let (w, h) = o.imageSize.map { ($0, $0) } ?? (width, height)
        return ImagePreprocessing(channels: c, width: w, height: h, mean: mean, std: std)
    }

    /// 10000 → "10,000".
    static func thousands(_ n: Int) -> String {
        let s = String(n)
        return s.enumerated().map { i, ch in (i > 0 && (s.count - i) % 3 == 0 ? "," : "") + String(ch) }.joined()
    }
}
