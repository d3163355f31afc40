import Foundation

/// Images and labels read from a pair of IDX files: `count` grey images of `width` × `height`
/// bytes and one label byte each.
public struct IDXImageSet: LabeledImages, Sendable {
    public let width: Int
    public let height: Int
    /// `count × height × width` bytes, 0 (black) ... 255 (white) — as stored; Fashion-MNIST's
    /// garments are light on a black background.
    public let pixels: [UInt8]
    public let labels: [UInt8]
    public let classNames: [String]

    /// Pairs an images array (rank 3) with a labels array (rank 1); labels must name a class.
    public init(images: IDXArray, labels: IDXArray, classNames: [String], imagesFile: String = "<images>", labelsFile: String = "<labels>") throws {
        guard images.dimensions.count == 3 else {
            throw IDXError.badDimensions(file: imagesFile, reason: "images need 3 dimensions (count, rows, columns), found \(images.dimensions.count)")
        }
        guard labels.dimensions.count == 1 else {
            throw IDXError.badDimensions(file: labelsFile, reason: "labels need 1 dimension (count), found \(labels.dimensions.count)")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw IDXError.countMismatch(images: imagesFile, imageCount: images.dimensions[0], labels: labelsFile, labelCount: labels.dimensions[0])
        }
        guard images.dimensions[1] > 0, images.dimensions[2] > 0 else {
            throw IDXError.badDimensions(file: imagesFile, reason: "images of \(images.dimensions[2])×\(images.dimensions[1]) pixels")
        }
        if let i = labels.values.firstIndex(where: { Int($0) >= classNames.count }) {
            throw IDXError.badDimensions(file: labelsFile, reason: "label \(labels.values[i]) of item \(i) is not a class (0...\(classNames.count - 1))")
        }
        height = images.dimensions[1]
        width = images.dimensions[2]
        pixels = images.values
        self.labels = labels.values
        self.classNames = classNames
    }

    public var count: Int { labels.count }
    public func label(at index: Int) -> Int { Int(labels[index]) }

    /// Item `index` as a one-channel image with samples / 255.
    public func image(at index: Int) -> Image {
        let n = width * height
        return Image(width: width, height: height, channels: 1, pixels: pixels[(index * n)..<((index + 1) * n)].map { Float($0) / 255 })
    }

    /// How many items each class has.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for l in labels { counts[Int(l)] += 1 }
        return counts
    }
}

/// Fashion-MNIST is missing or not what it should be.
public enum FashionMNISTError: Error, CustomStringConvertible, Equatable {
    case missing(file: String)
    case unexpected(file: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let f):
            "\(f): no such file; Fashion-MNIST comes from the Debian package \(FashionMNIST.package) (apt-get install -y \(FashionMNIST.package))"
        case .unexpected(let f, let r): "\(f): not the Fashion-MNIST data set: \(r)"
        }
    }
}

/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 60,000 training and 10,000 test grey images
/// of 28 × 28 pixels in 10 balanced classes, read from the Debian package `dataset-fashion-mnist`
/// (`/usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`).
public enum FashionMNIST {
    public static let package = "dataset-fashion-mnist"
    public static let directory = "/usr/share/datasets/fashion-mnist"

    /// The label names in label order, as in the data set's README and torchvision.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    public static let imageSize = 28

    /// The data set's two files: 60,000 training and 10,000 test images.
    public enum Split: String, CaseIterable, Sendable {
        case train, test

        /// The file-name prefix: `train` or `t10k`.
        public var prefix: String { self == .train ? "train" : "t10k" }
        /// Items in the published split.
        public var expectedCount: Int { self == .train ? 60000 : 10000 }
    }

    /// The images and labels files of `split` in `directory`.
    public static func files(_ split: Split, directory: String = directory) -> (images: String, labels: String) {
        let base = URL(fileURLWithPath: directory)
        return (base.appendingPathComponent("\(split.prefix)-images-idx3-ubyte.gz").path,
                base.appendingPathComponent("\(split.prefix)-labels-idx1-ubyte.gz").path)
    }

    /// Reads a split. The files may be a subset (tests use tiny ones); `verify` checks the real thing.
    public static func load(_ split: Split, directory: String = directory) throws -> IDXImageSet {
        let (imagesFile, labelsFile) = files(split, directory: directory)
        for f in [imagesFile, labelsFile] where !FileManager.default.fileExists(atPath: f) {
            throw FashionMNISTError.missing(file: f)
        }
        return try IDXImageSet(images: IDXArray.readImages(path: imagesFile), labels: IDXArray.readLabels(path: labelsFile),
                               classNames: classNames, imagesFile: imagesFile, labelsFile: labelsFile)
    }

    /// Checks that `set` is the complete published split: its count, 28 × 28 images and equal
    /// class counts (6,000 per class in training, 1,000 in test).
    public static func verify(_ set: IDXImageSet, split: Split, directory: String = directory) throws {
        let file = files(split, directory: directory).images
        guard set.count == split.expectedCount else {
            throw FashionMNISTError.unexpected(file: file, reason: "\(set.count) images, the \(split.rawValue) split has \(split.expectedCount)")
        }
        guard set.width == imageSize, set.height == imageSize else {
            throw FashionMNISTError.unexpected(file: file, reason: "images of \(set.width)×\(set.height), expected 28×28")
        }
        let perClass = split.expectedCount / classNames.count
        let counts = set.classCounts
        guard counts.allSatisfy({ $0 == perClass }) else {
            throw FashionMNISTError.unexpected(file: files(split, directory: directory).labels, reason: "class counts \(counts), expected \(perClass) each")
        }
    }

    /// Writes the first `limit` images of a split as `out/<class>/<index>.pgm` (8-bit binary PGM;
    /// the class folder is the class name with `/` as `-`, e.g. `T-shirt-top`; index is the
    /// item's index in the split). Returns the images written per class.
    @discardableResult
    public static func export(_ split: Split, to out: String, limit: Int? = nil, directory: String = directory) throws -> [Int] {
        try ImageFolder.export(load(split, directory: directory), to: out, limit: limit)
    }
}
