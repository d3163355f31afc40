import Foundation
import Data
import Testing

/// The IDX reader and the Fashion-MNIST loader, on a tiny look-alike of the real files
/// (Tests/Fixtures/idx, made by make_image_fixtures.py) and, where the Debian package is
/// installed, on the real test split.
@Suite struct IDXTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/idx")

    /// The fixture's formulas: 12 images of 3 rows × 4 columns, labels (3i) mod 10.
    static func pixel(_ i: Int, _ r: Int, _ c: Int) -> UInt8 { UInt8((i * 31 + r * 7 + c * 3) % 256) }
    static func label(_ i: Int) -> Int { (i * 3) % 10 }

    @Test func arraysRoundTripThroughWriterAndReader() throws {
        let dir = try TemporaryDirectory()
        for dims in [[5], [2, 3, 4], [3, 0], [1, 1, 1, 1]] {
            let n = dims.reduce(1, *)
            let array = IDXArray(dimensions: dims, values: (0..<n).map { UInt8($0 % 251) })
            #expect(try IDXArray.decode(array.encoded()) == array)
            let path = dir.path("a-\(dims.count).idx")
            try array.write(to: path)
            #expect(try IDXArray.read(path: path) == array)
        }
        // The header is big-endian: magic 00 00 08 03, then each dimension in 4 bytes.
        #expect(IDXArray(dimensions: [1, 2, 258], values: [UInt8](repeating: 7, count: 516)).encoded().prefix(16)
                == [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 2])
    }

    @Test func readsGzippedImagesAndLabels() throws {
        let images = try IDXArray.readImages(path: Self.fixtures.appendingPathComponent("t10k-images-idx3-ubyte.gz").path)
        #expect(images.dimensions == [12, 3, 4])
        #expect(images.values == (0..<12).flatMap { i in (0..<3).flatMap { r in (0..<4).map { c in Self.pixel(i, r, c) } } })
        let labels = try IDXArray.readLabels(path: Self.fixtures.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
        #expect(labels.dimensions == [12])
        #expect(labels.values.map(Int.init) == (0..<12).map(Self.label))
    }

    @Test func fashionMNISTLoadsFromADirectoryLaidOutLikeThePackage() throws {
        let set = try FashionMNIST.load(.test, directory: Self.fixtures.path)
        #expect(set.count == 12 && set.width == 4 && set.height == 3)
        #expect(set.classNames == FashionMNIST.classNames)
        #expect((0..<12).map { set.label(at: $0) } == (0..<12).map(Self.label))
        let image = set.image(at: 5)
        #expect(image.width == 4 && image.height == 3 && image.channels == 1)
        #expect(image[3, 2, 0] == Float(Self.pixel(5, 2, 3)) / 255)
        #expect(set.classCounts.reduce(0, +) == 12)
        // The tiny set is not the published split.
        let error = thrown(FashionMNISTError.self) { try FashionMNIST.verify(set, split: .test, directory: Self.fixtures.path) }
        #expect(error?.description.contains("12 images, the test split has 10000") == true)
    }

    @Test func missingFashionMNISTFilesSayWhichPackageHasThem() throws {
        let dir = try TemporaryDirectory()
        let error = thrown(FashionMNISTError.self) { _ = try FashionMNIST.load(.train, directory: dir.url.path) }
        #expect(error == .missing(file: dir.path("train-images-idx3-ubyte.gz")))
        #expect(error?.description.contains("apt-get install -y dataset-fashion-mnist") == true)
    }

    // MARK: Malformed files

    static func idx(_ magic: [UInt8], _ dims: [UInt32], _ data: [UInt8]) -> [UInt8] {
        magic + dims.flatMap { d in [24, 16, 8, 0].map { UInt8(d >> UInt32($0) & 0xff) } } + data
    }

    @Test func malformedFilesGiveClearErrors() throws {
        let cases: [(String, [UInt8], Int?, String)] = [
            ("labels.idx", Self.idx([0, 0, 8, 1], [3], [1, 2, 3]), 3, "labels.idx: not an IDX images (0x00000803) file: magic number 0x00000801"),
            ("png.idx", Array("\u{89}PNG\r\n\u{1a}\n".utf8), nil, "png.idx: not an IDX unsigned-byte (0x000008NN) file: magic number 0xc289504e"),
            ("float.idx", Self.idx([0, 0, 0x0d, 1], [1], [0, 0, 0, 0]), 1, "float.idx: IDX data type 0xd is not supported; only unsigned bytes (0x08) are"),
            ("tiny.idx", [0, 0], nil, "tiny.idx: the IDX file is truncated: 2 bytes, too short for the 4-byte magic number"),
            ("header.idx", [0, 0, 8, 3, 0, 0, 0, 2, 0, 0], 3, "header.idx: the IDX file is truncated: the header of 3 dimensions needs 16 bytes, the file has 10"),
            ("short.idx", Self.idx([0, 0, 8, 3], [2, 2, 2], [UInt8](repeating: 0, count: 7)), 3, "short.idx: the IDX file is truncated: dimensions 2×2×2 need 8 bytes of data, the file has 7"),
            ("long.idx", Self.idx([0, 0, 8, 1], [2], [1, 2, 3]), 1, "long.idx: bad IDX dimensions: dimensions 2 need 2 bytes of data, the file has 3 (1 extra)"),
            ("huge.idx", Self.idx([0, 0, 8, 3], [60000, 60000, 60000], [1, 2, 3]), 3, "huge.idx: the IDX file is truncated: dimensions 60000×60000×60000 need 216000000000000 bytes of data, the file has 3"),
        ]
        for (name, bytes, rank, message) in cases {
            let error = thrown(IDXError.self) { _ = try IDXArray.decode(bytes, file: name, rank: rank) }
            #expect(error?.description == message)
        }
    }

    @Test func corruptGzipNamesTheFile() throws {
        let dir = try TemporaryDirectory()
        var gz = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("t10k-images-idx3-ubyte.gz")))
        gz.removeLast(20)
        let path = dir.path("cut.gz")
        try Data(gz).write(to: URL(fileURLWithPath: path))
        let error = thrown(GzipError.self) { _ = try IDXArray.readImages(path: path) }
        #expect(error?.description.hasPrefix(path + ": ") == true, "\(String(describing: error))")
    }

    @Test func imagesAndLabelsMustAgree() {
        let images = IDXArray(dimensions: [3, 2, 2], values: [UInt8](repeating: 0, count: 12))
        let error = thrown(IDXError.self) {
            _ = try IDXImageSet(images: images, labels: IDXArray(dimensions: [2], values: [0, 1]), classNames: ["a", "b"], imagesFile: "i.idx", labelsFile: "l.idx")
        }
        #expect(error == .countMismatch(images: "i.idx", imageCount: 3, labels: "l.idx", labelCount: 2))
        #expect(error?.description == "i.idx holds 3 images but l.idx holds 2 labels")
        let badLabel = thrown(IDXError.self) {
            _ = try IDXImageSet(images: images, labels: IDXArray(dimensions: [3], values: [0, 1, 5]), classNames: ["a", "b"], labelsFile: "l.idx")
        }
        #expect(badLabel?.description == "l.idx: bad IDX dimensions: label 5 of item 2 is not a class (0...1)")
    }

    // MARK: The real data set

    /// The Debian package dataset-fashion-mnist, which `make test` installs: its test split.
    @Test
    func realFashionMNISTTestSplitHas1000ImagesPerClass() throws {
        let set = try FashionMNIST.load(.test)
        #expect(set.count == 10000)
        #expect(set.width == 28 && set.height == 28)
        #expect(set.classCounts == [Int](repeating: 1000, count: 10))
        try FashionMNIST.verify(set, split: .test)
    }
}
