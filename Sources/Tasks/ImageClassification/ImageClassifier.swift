import Foundation
import Data
import Layers
import Metrics
import Models
import Tensors

/// A trained image classifier as used after training: the model in evaluation mode and the
/// preprocessing it was trained with. `zoo classify` and `zoo eval` are thin fronts over it.
///
/// ```swift
/// let classifier = try ZooRegistry().resolve("vit-fashion-mnist").loadImageClassifier()
/// let best = classifier.top(3, of: [try Image(contentsOfFile: "shoe.pgm")])[0]   // [(label, probability)]
/// ```
public struct ImageClassifier {
    public let model: VisionTransformer
    public let preprocessing: ImagePreprocessing
    /// Images per forward pass.
    public var batchSize = 64

    public init(model: VisionTransformer, preprocessing: ImagePreprocessing) {
        self.model = model
        self.preprocessing = preprocessing
    }

    public var labels: [String] { model.config.labels }

    /// Each image's class probabilities (softmax of the logits), in batches.
    public func probabilities(_ images: [Image]) -> [[Float]] {
        var out: [[Float]] = []
        let k = labels.count
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let chunk = Array(images[start..<min(images.count, start + batchSize)])
            let p = withoutGradients { model(preprocessing.batch(chunk)).softmax() }.scalars
            for i in 0..<chunk.count { out.append(Array(p[(i * k)..<((i + 1) * k)])) }
        }
        return out
    }

    /// The `k` most likely labels of each image, most likely first.
    public func top(_ k: Int, of images: [Image]) -> [[(label: String, probability: Float)]] {
        probabilities(images).map { p in
            p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }.prefix(k).map { (labels[$0], p[$0]) }
        }
    }

    /// Accuracy and confusion matrix on a labelled set (an image folder mapped to the model's
    /// classes, or Fashion-MNIST's test split); `progress` is told images done and images in all.
    public func evaluate(_ data: some LabeledImages, labelMap: [Int]? = nil, progress: (Int, Int) -> Void = { _, _ in }) throws -> ConfusionMatrix {
        let set = try PreprocessedImages(data, preprocessing: preprocessing, labelMap: labelMap, classNames: labels)
        let m = ImageClassificationTask.measure(model, on: set, batchSize: batchSize, progress: progress)
        var matrix = ConfusionMatrix(labels: labels)
        for (truth, predicted) in zip(set.labels, m.predictions) { matrix.add(truth: Int(truth), predicted: predicted) }
        return matrix
    }
}
