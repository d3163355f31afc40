import Foundation
import Data
import Layers
import Models
import Tensors

/// A labelled image set decoded once and kept in memory as the model's input values: each image
/// converted, resized and normalized by an `ImagePreprocessing`, [C, H, W] after one another
/// (Fashion-MNIST's 60,000 × 784 floats are 188 MB). Training batches and evaluations then copy
/// from here instead of decoding files again.
public struct PreprocessedImages: Sendable {
    public let preprocessing: ImagePreprocessing
    /// `count × C × H × W` values.
    public let values: [Float]
    public let labels: [Int32]
    public let classNames: [String]

    public var count: Int { labels.count }
    /// Values per image.
    public var imageSize: Int { preprocessing.channels * preprocessing.height * preprocessing.width }

    /// Items `indices` (default all) of `data`, decoded on every core. `labelMap` renames the
    /// data's labels into the model's (an image folder's classes into the model's classes).
    /// The first unreadable image throws its error (which names the file).
    public init(_ data: some LabeledImages, preprocessing: ImagePreprocessing, indices: [Int]? = nil,
                labelMap: [Int]? = nil, classNames: [String]? = nil) throws {
        let indices = indices ?? Array(0..<data.count)
        let size = preprocessing.channels * preprocessing.height * preprocessing.width
        var values: [Float] = []
        values.reserveCapacity(indices.count * size)
        for v in try Parallel.map(indices, chunksPerCore: 8, { try preprocessing.values(data.image(at: $0)) }) { values += v }
        self.preprocessing = preprocessing
        self.values = values
        self.labels = indices.map { i in
            let label = data.label(at: i)
            return Int32(labelMap?[label] ?? label)
        }
        self.classNames = classNames ?? data.classNames
    }

    /// Items `range` as an [N, C, H, W] tensor and their labels.
    public func batch(_ range: Range<Int>) -> (images: Tensor, labels: [Int32]) {
        let p = preprocessing
        let images = Tensor(Array(values[(range.lowerBound * imageSize)..<(range.upperBound * imageSize)]),
                            shape: [range.count, p.channels, p.height, p.width])
        return (images, Array(labels[range]))
    }
}
