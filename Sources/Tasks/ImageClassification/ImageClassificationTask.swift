import Foundation
import Layers
import Models
import Tensors
import Training

/// Image classification with a Vision Transformer: batches of `batch_size` images drawn in a
/// shuffled epoch order (`EpochSampler`), augmented (random crop with padding, horizontal flip),
/// and the cross entropy of the labels, with optional label smoothing. Validation reports the
/// mean loss (without smoothing) and the accuracy, unaugmented.
///
/// The trainer's "tokens" are images here: `tokenCount` is the images in a batch, so its
/// tokens/s reads images/s.
public final class ImageClassificationTask: TrainingTask {
    /// Images [B, C, H, W] (preprocessed, augmented) and their labels.
    public struct Batch {
        public var images: Tensor
        public var labels: [Int32]
    }

    public let model: VisionTransformer
    public let train: PreprocessedImages
    public let validation: PreprocessedImages
    public let augmentation: ImageAugmentation
    public let labelSmoothing: Float
    /// Images per evaluation batch.
    public let evaluationBatchSize: Int
    private var sampler: EpochSampler
    /// Each channel's value of a black pixel after normalization: the crop's padding.
    private let fill: [Float]

    public var randomSources: [RandomSource] { [model.random] }

    /// `dataGenerator` is the trainer's starting data generator (`TrainingSettings.dataGenerator`),
    /// from which a resumed run replays its epoch order.
    public init(model: VisionTransformer, train: PreprocessedImages, validation: PreprocessedImages,
                augmentation: ImageAugmentation = .init(), labelSmoothing: Float = 0, evaluationBatchSize: Int = 256,
                dataGenerator: RandomGenerator) throws {
        let c = model.config
        for (set, what) in [(train, "training"), (validation, "validation")] {
            guard set.count > 0 else { throw TrainingError.badData(path: "\(what) images", reason: "no images") }
            let p = set.preprocessing
            guard p.channels == c.channels && p.width == c.imageWidth && p.height == c.imageHeight else {
                throw TrainingError.badData(path: "\(what) images", reason: "preprocessed to \(p.channels)×\(p.height)×\(p.width), the model reads \(c.channels)×\(c.imageHeight)×\(c.imageWidth)")
            }
            if let bad = set.labels.first(where: { $0 < 0 || Int($0) >= c.labelCount }) {
                throw TrainingError.badData(path: "\(what) images", reason: "label \(bad) is not one of the model's \(c.labelCount) classes")
            }
        }
        self.model = model
        self.train = train
        self.validation = validation
        self.augmentation = augmentation
        self.labelSmoothing = labelSmoothing
        self.evaluationBatchSize = max(1, evaluationBatchSize)
        sampler = EpochSampler(count: train.count, augmentation: augmentation, origin: dataGenerator)
        let p = train.preprocessing
        fill = (0..<p.channels).map { c in (0 - p.mean[p.mean.count == 1 ? 0 : c]) / p.std[p.std.count == 1 ? 0 : c] }
    }

    // MARK: - Training

    /// `tokens` images (at least one) of the epoch order, augmented.
    public func makeBatch(tokens: Int, generator: inout RandomGenerator) -> Batch {
        let n = max(1, tokens)
        let picks = sampler.next(n, generator: &generator)
        let p = train.preprocessing, size = train.imageSize
        let images = Tensor(uninitialized: [n, p.channels, p.height, p.width])
        train.values.withUnsafeBufferPointer { source in
            for (i, pick) in picks.enumerated() {
                let from = source.baseAddress! + pick.index * size, to = images.data + i * size
                if augmentation.isIdentity {
                    to.update(from: from, count: size)
                } else {
                    augmentation.apply(pick.draw, source: from, channels: p.channels, height: p.height, width: p.width,
                                       fill: fill, into: to)
                }
            }
        }
        return Batch(images: images, labels: picks.map { train.labels[$0.index] })
    }

    public func tokenCount(of batch: Batch) -> Int { batch.labels.count }

    public func loss(on batch: Batch) -> Tensor {
        model(batch.images).crossEntropy(targets: batch.labels, labelSmoothing: labelSmoothing)
    }

    public var splitsAcrossRanks: Bool { true }

    /// A slice of the batch's images.
    public func partialLoss(on batch: Batch, part: Int, of parts: Int) -> Tensor? {
        let n = batch.labels.count
        let range = DataParallel.slice(n, part: part, of: parts)
        guard !range.isEmpty else { return nil }
        let size = batch.images.count / n
        let images = Tensor(uninitialized: [range.count] + Array(batch.images.shape.dropFirst()))
        images.data.update(from: batch.images.data + range.lowerBound * size, count: range.count * size)
        return loss(on: Batch(images: images, labels: Array(batch.labels[range]))) * (Float(range.count) / Float(n))
    }

    // MARK: - Evaluation

    /// Mean loss and accuracy on the first `batches` × `evaluationBatchSize` validation images
    /// (0: all of them).
    public func evaluate(batches: Int) -> [String: Double] {
        let limit = batches == 0 ? validation.count : min(validation.count, batches * evaluationBatchSize)
        let m = Self.measure(model, on: validation, limit: limit, batchSize: evaluationBatchSize)
        return ["loss": m.loss, "accuracy": m.accuracy]
    }

    /// Mean cross entropy and accuracy of `model` on the first `limit` images of `set` (default
    /// all), and each image's predicted class. Call in evaluation mode.
    public static func measure(_ model: VisionTransformer, on set: PreprocessedImages, limit: Int? = nil, batchSize: Int = 256,
                               progress: (Int, Int) -> Void = { _, _ in }) -> (loss: Double, accuracy: Double, predictions: [Int]) {
        let n = min(limit ?? set.count, set.count)
        var total = 0.0, predictions: [Int] = []
        predictions.reserveCapacity(n)
        withoutGradients {
            var start = 0
            while start < n {
                let range = start..<min(n, start + batchSize)
                let (images, labels) = set.batch(range)
                let logits = model(images)
                total += Double(logits.crossEntropy(targets: labels).item) * Double(range.count)
                predictions += logits.argmax()
                start = range.upperBound
                progress(start, n)
            }
        }
        let correct = zip(predictions, set.labels.prefix(n)).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
        return (total / Double(max(n, 1)), Double(correct) / Double(max(n, 1)), predictions)
    }
}
